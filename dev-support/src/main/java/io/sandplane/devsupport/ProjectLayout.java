package io.sandplane.devsupport;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the Sandplane checkout and its modules' build output are. */
public final class ProjectLayout {

    private ProjectLayout() {
    }

    /** The checkout root: set by the build ({@code sandplane.project.root}), else found above the working directory. */
    public static Path root() {
        String configured = System.getProperty("sandplane.project.root");
        if (configured != null && !configured.isBlank() && Files.isRegularFile(Path.of(configured, "mvnw"))) {
            return Path.of(configured).toAbsolutePath();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("shared-model"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the Sandplane checkout above " + Path.of("").toAbsolutePath());
    }

    /** The runnable jar of a service module, built by {@code ./mvnw package}. */
    public static Path serviceJar(String module) {
        Path jar = root().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(module + " is not built (" + jar + " is missing): run ./mvnw package -DskipTests -pl "
                    + module + " -am first, or run the whole build with ./mvnw verify");
        }
        return jar;
    }
}
