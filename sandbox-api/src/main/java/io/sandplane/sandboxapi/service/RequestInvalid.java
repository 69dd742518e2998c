package io.sandplane.sandboxapi.service;

import io.sandplane.model.problem.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** A request that breaks one or more rules; every broken rule is reported with its field (400). */
public class RequestInvalid extends RuntimeException {

    private final List<Problem.FieldError> errors;

    public RequestInvalid(List<Problem.FieldError> errors) {
        super(errors.stream().map(e -> e.field() + ": " + e.message()).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    public static RequestInvalid of(String field, String message) {
        return new RequestInvalid(List.of(new Problem.FieldError(field, message)));
    }

    public List<Problem.FieldError> errors() {
        return errors;
    }

    /** Collects field errors, then throws them all at once. */
    public static final class Collector {
        private final List<Problem.FieldError> errors = new ArrayList<>();

        public Collector add(String field, String message) {
            errors.add(new Problem.FieldError(field, message));
            return this;
        }

        public boolean isEmpty() {
            return errors.isEmpty();
        }

        public void throwIfAny() {
            if (!errors.isEmpty()) {
                throw new RequestInvalid(errors);
            }
        }
    }
}
