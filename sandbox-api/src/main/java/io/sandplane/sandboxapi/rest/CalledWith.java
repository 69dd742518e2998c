package io.sandplane.sandboxapi.rest;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The credential every endpoint of a resource class needs. {@link AuthFilter} reads it from the
 * endpoint a request was matched to, so no spelling of a path changes what is asked for; a resource
 * without it is refused to everyone.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface CalledWith {
    Credential value();
}
