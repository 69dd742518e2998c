package io.sandplane.sandboxapi.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PublicApiUrlTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "http://localhost:8080, http://localhost:8080",
            "https://api.example.com/, https://api.example.com",
            "HTTPS://api.example.com:8443/sandplane/, HTTPS://api.example.com:8443/sandplane",
            "' http://[::1]:8080 ', http://[::1]:8080" })
    void aBaseUrlLosesOnlyItsTrailingSlash(String configured, String base) {
        assertThat(PublicApiUrl.parse(configured)).isEqualTo(base);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "localhost:8080", "api.example.com", "ftp://api.example.com", "http:///nohost",
            "https://user:pw@api.example.com", "https://api.example.com/?x=1", "https://api.example.com/#top",
            "http://exa mple.com", "" })
    void anythingElseStopsTheStartNamingTheSetting(String configured) {
        assertThatThrownBy(() -> PublicApiUrl.parse(configured)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("SANDPLANE_API_PUBLIC_URL '" + configured + "' is not usable: ");
    }
}
