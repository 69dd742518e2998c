package io.sandplane.model.network;

import io.sandplane.model.InvalidValueException;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/** Passes field errors on to the caller's collector and remembers whether there were any. */
final class FieldErrors {

    private final BiConsumer<String, String> sink;
    private boolean any;

    FieldErrors(BiConsumer<String, String> sink) {
        this.sink = sink;
    }

    void add(String field, String message) {
        any = true;
        sink.accept(field, message);
    }

    /** The parsed value, or null when the parser refused it (reported under the field it names). */
    <T> T parse(Supplier<T> parser) {
        try {
            return parser.get();
        } catch (InvalidValueException e) {
            add(e.field(), e.getMessage());
            return null;
        }
    }

    boolean any() {
        return any;
    }
}
