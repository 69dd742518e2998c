package io.sandplane.model.entity;

import io.sandplane.model.provider.Provider;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/** Stores providers by their external name ({@code pve-lxc}), the same string the API shows. */
@Converter
public class ProviderConverter implements AttributeConverter<Provider, String> {

    @Override
    public String convertToDatabaseColumn(Provider provider) {
        return provider == null ? null : provider.id();
    }

    @Override
    public Provider convertToEntityAttribute(String id) {
        return id == null ? null : Provider.fromId(id);
    }
}
