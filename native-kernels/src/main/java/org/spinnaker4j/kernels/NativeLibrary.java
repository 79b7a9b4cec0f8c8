package org.spinnaker4j.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/** Loads the host build of the kernels ({@code libs4jkernels.so}) from the classpath, once per JVM. */
final class NativeLibrary {

    /** Where the library sits on the classpath (in the jar or in target/classes). */
    static final String RESOURCE = "/native/linux-x86_64/libs4jkernels.so";

    private static volatile boolean loaded;

    private NativeLibrary() {
    }

    /** Loads the library unless it already is; thread-safe. */
    static void load() {
        if (!loaded) {
            loadOnce();
        }
    }

    private static synchronized void loadOnce() {
        if (loaded) {
            return;
        }
        checkPlatform(System.getProperty("os.name"), System.getProperty("os.arch"));
        Path file = null;
        try (InputStream in = NativeLibrary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("spinnaker4j's host kernels " + RESOURCE
                        + " are not on the classpath; build native-kernels with Maven on linux-x86_64 (needs gcc)");
            }
            file = Files.createTempFile("libs4jkernels", ".so");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            System.load(file.toAbsolutePath().toString());
        } catch (IOException e) {
            deleteQuietly(file);
            UnsatisfiedLinkError error = new UnsatisfiedLinkError(
                    "could not extract spinnaker4j's host kernels " + RESOURCE + " to a temporary file: " + e);
            error.initCause(e);
            throw error;
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            deleteQuietly(file);
            throw e;
        }
        loaded = true;
    }

    /** Throws unless {@code os}/{@code arch} is linux-x86_64, the only platform the host kernels are built for. */
    static void checkPlatform(String os, String arch) {
        boolean linux = os != null && os.toLowerCase(Locale.ROOT).startsWith("linux");
        boolean x64 = "amd64".equals(arch) || "x86_64".equals(arch);
        if (!linux || !x64) {
            throw new UnsatisfiedLinkError(
                    "spinnaker4j's host kernels are built for linux-x86_64 only; this JVM is " + os + "/" + arch);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // deleteOnExit is still registered
            }
        }
    }
}
