package io.sandplane.devsupport.localrun;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The local run's secrets, made on the first run and kept in {@code .sandplane/secrets.properties}
 * (readable by the owner only) so that later runs reuse the data they protect.
 */
final class LocalSecrets {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private final Properties values = new Properties();

    private LocalSecrets(Path file) {
        this.file = file;
    }

    static LocalSecrets load(Path file) {
        LocalSecrets secrets = new LocalSecrets(file);
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                secrets.values.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return secrets;
    }

    String internalToken() {
        return getOrCreate("internal-token");
    }

    String operatorToken() {
        return getOrCreate("operator-token");
    }

    String simulatorSecret() {
        return getOrCreate("simulator-secret");
    }

    String teamApiKey() {
        return values.getProperty("team-api-key");
    }

    void teamApiKey(String key) {
        values.setProperty("team-api-key", key);
        save();
    }

    private String getOrCreate(String name) {
        String value = values.getProperty(name);
        if (value == null) {
            byte[] bytes = new byte[24];
            RANDOM.nextBytes(bytes);
            value = HexFormat.of().formatHex(bytes);
            values.setProperty(name, value);
            save();
        }
        return value;
    }

    private void save() {
        try {
            Files.createDirectories(file.getParent());
            if (!Files.exists(file)) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            try (OutputStream out = Files.newOutputStream(file)) {
                values.store(out, "Sandplane local run secrets - keep private");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
