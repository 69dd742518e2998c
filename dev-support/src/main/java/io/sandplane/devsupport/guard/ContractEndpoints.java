package io.sandplane.devsupport.guard;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The endpoints a JAX-RS interface or resource class declares, read from its annotations, so that a
 * corpus covers every operation of a contract, including the ones added after the test was written.
 */
public final class ContractEndpoints {

    private ContractEndpoints() {
    }

    public static List<Endpoint> of(Class<?> contract) {
        Path classPath = contract.getAnnotation(Path.class);
        if (classPath == null) {
            throw new IllegalArgumentException(contract.getName() + " has no @Path");
        }
        List<Endpoint> endpoints = new ArrayList<>();
        for (Method method : contract.getMethods()) {
            String httpMethod = httpMethod(method);
            if (httpMethod == null) {
                continue;
            }
            Path methodPath = method.getAnnotation(Path.class);
            endpoints.add(new Endpoint(httpMethod, join(classPath.value(), methodPath == null ? "" : methodPath.value()),
                    contract.getSimpleName() + "." + method.getName()));
        }
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException(contract.getName() + " declares no endpoint");
        }
        endpoints.sort(Comparator.comparing(Endpoint::template).thenComparing(Endpoint::method));
        return endpoints;
    }

    private static String httpMethod(Method method) {
        for (Annotation a : method.getAnnotations()) {
            HttpMethod http = a.annotationType().getAnnotation(HttpMethod.class);
            if (http != null) {
                return http.value();
            }
        }
        return null;
    }

    private static String join(String classPath, String methodPath) {
        String joined = ("/" + classPath + "/" + methodPath).replaceAll("/+", "/");
        return joined.length() > 1 && joined.endsWith("/") ? joined.substring(0, joined.length() - 1) : joined;
    }
}
