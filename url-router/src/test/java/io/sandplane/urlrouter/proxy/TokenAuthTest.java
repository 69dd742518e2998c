package io.sandplane.urlrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandplane.model.Secrets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenAuthTest {

    @Test
    void findsQueryTokensDecodedAndRemovesOnlyThem() {
        assertThat(TokenAuth.queryTokens("/a?x=1&sandplane_token=abc%2Bd&y=2")).containsExactly("abc+d");
        assertThat(TokenAuth.queryTokens("/a?sandplane%5Ftoken=t")).containsExactly("t");
        assertThat(TokenAuth.queryTokens("/a?x=sandplane_token")).isEmpty();
        assertThat(TokenAuth.queryTokens("/a")).isEmpty();
        assertThat(TokenAuth.withoutQueryToken("/a?x=1&sandplane_token=abc&y=%20")).isEqualTo("/a?x=1&y=%20");
        assertThat(TokenAuth.withoutQueryToken("/a?sandplane_token=abc")).isEqualTo("/a");
        assertThat(TokenAuth.withoutQueryToken("/a?sandplane_token=1&sandplane%5Ftoken=2&b")).isEqualTo("/a?b");
        assertThat(TokenAuth.withoutQueryToken("/a?b=%zz&sandplane_token=1")).isEqualTo("/a?b=%zz");
    }

    @Test
    void readsAndRemovesTheCookieKeepingTheOthers() {
        List<String> headers = List.of("theme=dark; sandplane_token=\"tok\"", "sandplane_token=other;lang=en");
        assertThat(TokenAuth.cookieTokens(headers)).containsExactly("tok", "other");
        assertThat(TokenAuth.cookieHeaderWithoutToken(headers)).contains("theme=dark; lang=en");
        assertThat(TokenAuth.cookieHeaderWithoutToken(List.of("sandplane_token=x"))).isEmpty();
        assertThat(TokenAuth.cookieTokens(List.of("xsandplane_token=x"))).isEmpty();
    }

    @Test
    void matchesOnlyTheSandboxesToken() {
        String hash = Secrets.sha256Hex("sp_secret");
        assertThat(TokenAuth.matches("sp_secret", hash)).isTrue();
        assertThat(TokenAuth.matches("sp_secreT", hash)).isFalse();
        assertThat(TokenAuth.matches("", hash)).isFalse();
        assertThat(TokenAuth.matches(null, hash)).isFalse();
        assertThat(TokenAuth.matches("sp_secret", null)).isFalse();
    }

    @Test
    void theCookieIsHostOnlyHttpOnlyAndSecureUnderHttps() {
        assertThat(TokenAuth.setCookie("t", true, Duration.ofHours(1)))
                .isEqualTo("sandplane_token=t; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=None");
        assertThat(TokenAuth.setCookie("t", false, Duration.ofHours(1)))
                .isEqualTo("sandplane_token=t; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax");
    }
}
