package io.sandplane.model.internal;

import jakarta.ws.rs.Path;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which endpoints are internal, decided from the endpoint a request was matched to, never from the
 * path it was spelt with: the same endpoint answers {@code /internal/guests}, {@code /%69nternal/guests}
 * and {@code /x/%2e%2e/internal/guests}, so only what was matched can be trusted.
 *
 * <p>An endpoint is internal when its resource class, or any class or interface above it, is
 * {@link InternalOnly}; and, so that a forgotten annotation fails closed, when any {@code @Path}
 * declared for it (on those types, or on the method there) puts it under {@code /internal},
 * in any letter case.
 */
public final class InternalEndpoints {

    static final String SEGMENT = "internal";

    private InternalEndpoints() {
    }

    /** @param method the matched resource method (declared on {@code resourceClass} or inherited) */
    public static boolean isInternal(Class<?> resourceClass, Method method) {
        List<Class<?>> types = typesOf(resourceClass);
        List<String> classPaths = new ArrayList<>();
        List<String> methodPaths = new ArrayList<>(List.of(""));
        for (Class<?> type : types) {
            if (type.isAnnotationPresent(InternalOnly.class)) {
                return true;
            }
            Path classPath = type.getAnnotation(Path.class);
            if (classPath != null) {
                classPaths.add(classPath.value());
            }
            Path methodPath = method == null ? null : declared(type, method);
            if (methodPath != null) {
                methodPaths.add(methodPath.value());
            }
        }
        if (classPaths.isEmpty()) {
            classPaths.add("");
        }
        for (String classPath : classPaths) {
            for (String methodPath : methodPaths) {
                if (underInternal(classPath + "/" + methodPath)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The class, its superclasses and every interface any of them implements, nearest first. */
    private static List<Class<?>> typesOf(Class<?> resourceClass) {
        Set<Class<?>> types = new LinkedHashSet<>();
        List<Class<?>> pending = new ArrayList<>(List.of(resourceClass));
        while (!pending.isEmpty()) {
            Class<?> type = pending.removeFirst();
            if (type == null || type == Object.class || !types.add(type)) {
                continue;
            }
            pending.add(type.getSuperclass());
            pending.addAll(List.of(type.getInterfaces()));
        }
        return List.copyOf(types);
    }

    /** The {@code @Path} of {@code method} as {@code type} declares it (an override or the interface's), if any. */
    private static Path declared(Class<?> type, Method method) {
        try {
            return type.getDeclaredMethod(method.getName(), method.getParameterTypes()).getAnnotation(Path.class);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    static boolean underInternal(String template) {
        for (String segment : template.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            return segment.equalsIgnoreCase(SEGMENT);
        }
        return false;
    }
}
