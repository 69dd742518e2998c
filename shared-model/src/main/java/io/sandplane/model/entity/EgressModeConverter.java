package io.sandplane.model.entity;

import io.sandplane.model.network.EgressMode;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/**
 * Stores egress modes by their JSON spelling ({@code deny-private}), the same string the API shows and the one
 * in the JSON columns beside them ({@code teams.egress_modes}), so that SQL compares like with like.
 */
@Converter
public class EgressModeConverter implements AttributeConverter<EgressMode, String> {

    @Override
    public String convertToDatabaseColumn(EgressMode mode) {
        return mode == null ? null : mode.id();
    }

    @Override
    public EgressMode convertToEntityAttribute(String id) {
        return id == null ? null : EgressMode.fromId(id);
    }
}
