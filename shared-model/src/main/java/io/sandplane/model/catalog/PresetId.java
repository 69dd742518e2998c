package io.sandplane.model.catalog;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.sandplane.model.InvalidValueException;
import java.util.regex.Pattern;

/** A preset id, {@code <cpu>_<memory>_<disk>}, e.g. {@code 4vcpu_8gb_32gb}. */
public record PresetId(String value) {

    public static final int MAX_LENGTH = 64;
    private static final Pattern FORMAT = Pattern.compile("[a-z0-9]+_[a-z0-9]+_[a-z0-9]+");

    public PresetId {
        if (value == null || value.isEmpty()) {
            throw new InvalidValueException("preset", "preset is required");
        }
        if (value.length() > MAX_LENGTH || !FORMAT.matcher(value).matches()) {
            throw new InvalidValueException("preset", "invalid preset " + InvalidValueException.quote(value)
                    + "; expected <cpu>_<memory>_<disk> in lower-case letters and digits, e.g. 4vcpu_8gb_32gb");
        }
    }

    @JsonCreator
    public static PresetId of(String value) {
        return new PresetId(value);
    }

    @JsonValue
    @Override
    public String value() {
        return value;
    }

    @Override
    public String toString() {
        return value;
    }
}
