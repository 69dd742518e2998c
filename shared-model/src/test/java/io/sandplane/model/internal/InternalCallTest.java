package io.sandplane.model.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** One reading of a failed internal call, whatever the REST client threw. */
class InternalCallTest {

    @Test
    void aRequestThatNeverLeftIsUnreachableHoweverTheClientWrapsIt() {
        for (RuntimeException thrown : new RuntimeException[] {
                new ProcessingException(new ConnectException("Connection refused")),
                new ProcessingException(new UnknownHostException("provisioner")),
                new ProcessingException(new NoRouteToHostException("No route to host")),
                new ProcessingException("wrapped", new RuntimeException(new ConnectException("Connection refused"))),
                // Some clients throw the transport's exception without a ProcessingException around it.
                new IllegalStateException(new ConnectException("Connection refused")) }) {
            InternalCallException e = failure(thrown);
            assertThat(e).as("%s", thrown).isInstanceOf(InternalCallException.Unreachable.class);
            assertThat(e.status()).isZero();
            assertThat(e.service()).isEqualTo("provisioner");
            assertThat(e.getMessage()).startsWith("stop sbx_1: provisioner unreachable: ");
        }
    }

    @Test
    void noAnswerInTimeOrABrokenExchangeMayHaveArrived() {
        InternalCallException late = failure(new ProcessingException(new TimeoutException()));
        assertThat(late).isInstanceOf(InternalCallException.Failed.class);
        assertThat(late.status()).isEqualTo(504);
        assertThat(failure(new ProcessingException("Read timeout"))).isInstanceOf(InternalCallException.Failed.class)
                .extracting(InternalCallException::status).isEqualTo(504);

        InternalCallException reset = failure(new ProcessingException(new SocketException("Connection reset")));
        assertThat(reset).isInstanceOf(InternalCallException.Failed.class);
        assertThat(reset.status()).isEqualTo(502);
        assertThat(reset.getMessage()).contains("SocketException: Connection reset");
    }

    @Test
    void anAnswerIsReadByItsStatus() {
        for (int status : new int[] { 400, 401, 404, 409, 413, 422, 429 }) {
            assertThat(answered(status)).as("%d", status).isInstanceOf(InternalCallException.Refused.class)
                    .extracting(InternalCallException::status).isEqualTo(status);
        }
        assertThat(answered(503)).isInstanceOf(InternalCallException.Unavailable.class);
        for (int status : new int[] { 500, 502, 504, 507 }) {
            assertThat(answered(status)).as("%d", status).isInstanceOf(InternalCallException.Failed.class)
                    .extracting(InternalCallException::status).isEqualTo(status);
        }
        assertThat(((InternalCallException.Refused) answered(404)).targetChanged()).isTrue();
        assertThat(((InternalCallException.Refused) answered(409)).targetChanged()).isTrue();
        assertThat(((InternalCallException.Refused) answered(400)).targetChanged()).isFalse();
        assertThat(answered(502).getMessage()).isEqualTo("stop sbx_1: provisioner answered 502 (HTTP 502)");
    }

    @Test
    void theProblemAnsweredIsKeptEvenWithNullMembersAndANonJsonBodyIsNoProblem() {
        WebApplicationException conflict = new WebApplicationException(Response.status(409)
                .entity("{\"type\":\"https://sandplane.dev/problems/conflict\",\"title\":\"Conflict\",\"status\":409,"
                        + "\"detail\":\"the sandbox is DELETING\",\"instance\":null,\"retryAfter\":3}")
                .type("application/problem+json").build());
        InternalCallException refused = failure(conflict);
        assertThat(refused.detail()).isEqualTo("the sandbox is DELETING");
        assertThat(refused.problem()).containsEntry("retryAfter", 3).containsEntry("instance", null);
        assertThat(refused.getMessage()).isEqualTo("stop sbx_1: provisioner answered 409 (the sandbox is DELETING)");

        InternalCallException html = failure(new WebApplicationException(Response.status(502).entity("<html>bad gateway</html>")
                .type("text/html").build()));
        assertThat(html.problem()).isEmpty();
        assertThat(html.detail()).isEqualTo(html.getMessage());
    }

    @Test
    void whatIsNoCallFailureIsNotDisguisedAsOne() {
        IllegalArgumentException bug = new IllegalArgumentException("a bug");
        assertThatThrownBy(() -> InternalCall.call("provisioner", "stop sbx_1", () -> {
            throw bug;
        })).isSameAs(bug);
        assertThat(InternalCall.call("provisioner", "stop sbx_1", () -> "ok")).isEqualTo("ok");
    }

    private static InternalCallException failure(RuntimeException thrown) {
        try {
            InternalCall.call("provisioner", "stop sbx_1", () -> {
                throw thrown;
            });
        } catch (InternalCallException e) {
            return e;
        }
        throw new AssertionError("no InternalCallException for " + thrown);
    }

    private static InternalCallException answered(int status) {
        return failure(new WebApplicationException(Response.status(status).build()));
    }
}
