package io.sandplane.model.internal;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

class InternalEndpointsTest {

    @InternalOnly
    @Path("/elsewhere")
    interface MarkedContract {
        @GET
        @Path("/a")
        String a();
    }

    public static class MarkedResource implements MarkedContract {
        @Override
        public String a() {
            return "a";
        }
    }

    @Path("/internal/forgotten")
    public static class UnmarkedUnderInternal {
        @GET
        public String get() {
            return "";
        }
    }

    @Path("/")
    public static class InternalOnlyByMethodPath {
        @GET
        @Path("internal/x")
        public String get() {
            return "";
        }
    }

    interface MethodPathContract {
        @GET
        @Path("/./Internal/y")
        String y();
    }

    @Path("/")
    public static class InheritsAnInternalMethodPath implements MethodPathContract {
        @Override
        public String y() {
            return "";
        }
    }

    @Path("/INTERNAL")
    public static class UpperCase {
        @GET
        public String get() {
            return "";
        }
    }

    public static class SubclassOfInternal extends UnmarkedUnderInternal {
    }

    @Path("/api/things")
    public static class Public {
        @GET
        @Path("internal")
        public String nested() {
            return "";
        }

        @GET
        @Path("/internals")
        public String lookalike() {
            return "";
        }
    }

    @Path("/internals")
    public static class Lookalike {
        @GET
        public String get() {
            return "";
        }
    }

    @Test
    void aResourceImplementingAMarkedContractIsInternalWhateverItsPath() {
        assertThat(internal(MarkedResource.class, "a")).isTrue();
    }

    @Test
    void anyDeclaredPathUnderInternalMakesItInternalWithoutTheMark() {
        assertThat(internal(UnmarkedUnderInternal.class, "get")).isTrue();
        assertThat(internal(InternalOnlyByMethodPath.class, "get")).isTrue();
        assertThat(internal(InheritsAnInternalMethodPath.class, "y")).isTrue();
        assertThat(internal(UpperCase.class, "get")).isTrue();
        assertThat(internal(SubclassOfInternal.class, "get")).isTrue();
    }

    @Test
    void pathsThatOnlyLookAlikeAreNot() {
        assertThat(internal(Public.class, "nested")).isFalse();
        assertThat(internal(Public.class, "lookalike")).isFalse();
        assertThat(internal(Lookalike.class, "get")).isFalse();
    }

    private static boolean internal(Class<?> resource, String method) {
        try {
            Method m = resource.getMethod(method);
            return InternalEndpoints.isInternal(resource, m);
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
    }
}
