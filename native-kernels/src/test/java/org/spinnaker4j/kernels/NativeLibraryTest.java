package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class NativeLibraryTest {

    @Test
    void refusesOtherPlatformsWithAClearMessage() {
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> NativeLibrary.checkPlatform("Mac OS X", "aarch64"));
        assertEquals("spinnaker4j's host kernels are built for linux-x86_64 only; this JVM is Mac OS X/aarch64",
                e.getMessage());
        assertThrows(UnsatisfiedLinkError.class, () -> NativeLibrary.checkPlatform("Linux", "aarch64"));
        assertDoesNotThrow(() -> NativeLibrary.checkPlatform("Linux", "amd64"));
    }

    @Test
    void loadsFromTheClasspathOnceFromManyThreads() throws InterruptedException {
        assertNotNull(NativeLibrary.class.getResource(NativeLibrary.RESOURCE));
        Thread[] threads = new Thread[4];
        Throwable[] failures = new Throwable[threads.length];
        for (int t = 0; t < threads.length; t++) {
            int id = t;
            threads[t] = new Thread(() -> {
                try {
                    NativeLibrary.load();
                    new KernelCore();
                } catch (Throwable e) {
                    failures[id] = e;
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        for (Throwable failure : failures) {
            assertEquals(null, failure);
        }
    }

    @Test
    void theBuildPropertyPicksTheLeanOrTheCheckedKernels() {
        assertEquals(NativeLibrary.RESOURCE, NativeLibrary.resource(null));
        assertEquals(NativeLibrary.RESOURCE, NativeLibrary.resource("lean"));
        assertEquals(NativeLibrary.CHECKED_RESOURCE, NativeLibrary.resource("checked"));
        assertThrows(IllegalArgumentException.class, () -> NativeLibrary.resource("fast"));
        assertNotNull(NativeLibrary.class.getResource(NativeLibrary.CHECKED_RESOURCE), "both builds are in the jar");
        assertEquals("checked".equals(System.getProperty(NativeLibrary.BUILD_PROPERTY)), KernelCore.checkedKernels(),
                "the loaded library is the build the property names");
    }
}
