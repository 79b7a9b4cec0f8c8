package org.spinnaker4j.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Loads the host build of the kernels from the classpath, once per JVM: the lean build ({@code libs4jkernels.so}),
 * the same code the simulator charges for, or the checked build ({@code libs4jkernels-checked.so}, which
 * re-validates the whole state on every call) when the system property {@value #BUILD_PROPERTY} is
 * {@code checked}.
 */
final class NativeLibrary {

    /** The system property that selects the build: {@code checked}, or unset (or {@code lean}) for the lean one. */
    static final String BUILD_PROPERTY = "spinnaker4j.kernels";
    /** Where the lean library sits on the classpath (in the jar or in target/classes). */
    static final String RESOURCE = "/native/linux-x86_64/libs4jkernels.so";
    /** Where the checked library sits on the classpath. */
    static final String CHECKED_RESOURCE = "/native/linux-x86_64/libs4jkernels-checked.so";

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
        String resource = resource(System.getProperty(BUILD_PROPERTY));
        Path file = null;
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("spinnaker4j's host kernels " + resource
                        + " are not on the classpath; build native-kernels with Maven on linux-x86_64 (needs gcc)");
            }
            file = Files.createTempFile("libs4jkernels", ".so");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            System.load(file.toAbsolutePath().toString());
        } catch (IOException e) {
            deleteQuietly(file);
            UnsatisfiedLinkError error = new UnsatisfiedLinkError(
                    "could not extract spinnaker4j's host kernels " + resource + " to a temporary file: " + e);
            error.initCause(e);
            throw error;
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            deleteQuietly(file);
            throw e;
        }
        loaded = true;
    }

    /** The resource of the build {@code property} names (the value of {@value #BUILD_PROPERTY}, or null). */
    static String resource(String property) {
        if (property == null || property.isEmpty() || property.equals("lean")) {
            return RESOURCE;
        }
        if (property.equals("checked")) {
            return CHECKED_RESOURCE;
        }
        throw new IllegalArgumentException("system property " + BUILD_PROPERTY + " must be lean or checked, got "
                + property);
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
