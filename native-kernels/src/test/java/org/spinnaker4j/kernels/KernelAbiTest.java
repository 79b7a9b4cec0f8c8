package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToIntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Java–C contract is complete: the compile-time checks of {@code s4j_contract.c} (each KernelAbi constant equal
 * to its S4J_ macro) cover every constant of {@link KernelAbi} and every macro of {@code s4j_kernels.h} that is not
 * C-only, and every enum and error code maps onto the constant of its own name.
 */
class KernelAbiTest {

    /** Macros of s4j_kernels.h that Java never uses: the include guard and the state's magic/version words. */
    private static final Set<String> C_ONLY = Set.of("KERNELS_H", "MAGIC", "MAGIC_TRAINING");

    private static final Path C_SOURCES = Path.of(System.getProperty("basedir", ""), "src", "main", "c");

    @Test
    void everyConstantIsAssertedAgainstItsMacroAtCompileTime() throws IOException {
        Set<String> asserted = matches(C_SOURCES.resolve("s4j_contract.c"),
                Pattern.compile("(?m)^(?:S4J_SAME\\(|_Static_assert\\(\\(uint32_t\\)org_spinnaker4j_kernels_KernelAbi_)"
                        + "(\\w+)"));
        assertNothingMissing(constants().keySet(), asserted, "KernelAbi constants not asserted in s4j_contract.c");
    }

    @Test
    void everySharedMacroOfTheHeaderHasAConstant() throws IOException {
        Set<String> macros = matches(C_SOURCES.resolve("s4j_kernels.h"),
                Pattern.compile("(?m)^#define S4J_(\\w+)"));
        macros.removeAll(C_ONLY);
        assertNothingMissing(macros, constants().keySet(),
                "S4J_ macros of s4j_kernels.h without a KernelAbi constant of the same name (or C-only)");
    }

    @Test
    void everyEnumConstantHasTheCodeOfItsName() {
        checkEnum(KernelKind.class, "KIND_", KernelKind::code);
        checkEnum(KernelActivation.class, "ACT_", KernelActivation::code);
        checkEnum(RangeKind.class, "RANGE_", RangeKind::code);
        checkEnum(UpdaterKind.class, "UPDATER_", UpdaterKind::code);
        checkEnum(LossKind.class, "LOSS_", LossKind::code);
        checkEnum(KernelWork.class, "WORK_", KernelWork::code);
    }

    @Test
    void everyErrorCodeHasANameAndADescription() {
        constants().forEach((name, value) -> {
            if (name.startsWith("ERR_")) {
                assertTrue(value < 0, name);
                assertEquals(name.substring("ERR_".length()), KernelException.errorName(value), name);
                assertNotEquals(KernelException.describe(Integer.MIN_VALUE), KernelException.describe(value), name);
            }
        });
    }

    @Test
    void configWordsAreNumberedWithoutGaps() {
        checkWords("CFG_", KernelAbi.CONFIG_WORDS);
        checkWords("RANGE_WORD_", KernelAbi.RANGE_WORDS);
        checkWords("CHUNK_WORD_", KernelAbi.CHUNK_WORDS);
    }

    /** Fails naming what of {@code wanted} is not in {@code got}. */
    private static void assertNothingMissing(Set<String> wanted, Set<String> got, String what) {
        Set<String> missing = new TreeSet<>(wanted);
        missing.removeAll(got);
        assertEquals(Set.of(), missing, what);
    }

    private static <E extends Enum<E>> void checkEnum(Class<E> type, String prefix, ToIntFunction<E> code) {
        Map<String, Integer> all = constants();
        Map<String, Integer> expected = new TreeMap<>();
        all.forEach((name, value) -> {
            if (name.startsWith(prefix) && !name.startsWith("RANGE_WORD")) {
                expected.put(name, value);
            }
        });
        Map<String, Integer> actual = new TreeMap<>();
        for (E e : type.getEnumConstants()) {
            String name = prefix + (e.name().equals("NEGATIVELOGLIKELIHOOD") ? "NLL" : e.name());
            actual.put(name, code.applyAsInt(e));
        }
        assertEquals(expected, actual, type.getSimpleName() + " and the " + prefix + "* constants of KernelAbi");
    }

    private static void checkWords(String prefix, int count) {
        Set<Integer> offsets = new TreeSet<>();
        constants().forEach((name, value) -> {
            if (name.startsWith(prefix)) {
                assertTrue(offsets.add(value), name + " repeats offset " + value);
            }
        });
        assertEquals(Stream.iterate(0, i -> i + 1).limit(count).collect(Collectors.toSet()), offsets, prefix);
    }

    /**
     * The constants of KernelAbi by name ({@code @Native} is a source annotation; a constant without it has no
     * macro in the javac header, so its assertion in s4j_contract.c would not compile).
     */
    private static Map<String, Integer> constants() {
        Map<String, Integer> constants = new TreeMap<>();
        for (Field f : KernelAbi.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                assertEquals(int.class, f.getType(), f.getName());
                try {
                    constants.put(f.getName(), f.getInt(null));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return constants;
    }

    private static Set<String> matches(Path file, Pattern pattern) throws IOException {
        Set<String> names = new TreeSet<>();
        Matcher m = pattern.matcher(Files.readString(file));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
