package io.sandplane.model.internal;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a REST contract that only other Sandplane services may call: every endpoint of a resource
 * that implements it (or carries it) needs the internal token, whatever the request's path looks
 * like ({@link InternalTokenFilter}).
 *
 * <p>Put {@code @RegisterForReflection} beside it: the guard reads the contract's annotations at run
 * time, and a native image keeps what reflection reads only for the types registered for it.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface InternalOnly {
}
