package org.spinnaker4j.mapper.cost;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A cost table: the ARM instructions the kernels execute per operation, by name, as {@code make calibrate}
 * (native-kernels/src/main/c) measures and prints them and {@code make check-calibration} compares them; the table
 * in use is the resource {@value #ARM968_SOFT_FLOAT}, next to this class.
 */
public final class InstructionCounts {

    /** The table of the lean kernels on the ARM968 with soft float, the one {@link CoreCostModel} uses. */
    public static final String ARM968_SOFT_FLOAT = "arm968-soft-float.properties";

    private final String source;
    private final Map<String, Double> figures;

    private InstructionCounts(String source, Map<String, Double> figures) {
        this.source = source;
        this.figures = figures;
    }

    /** Reads the table {@code resource} next to this class. */
    public static InstructionCounts load(String resource) {
        try (InputStream in = InstructionCounts.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("cost table " + resource + " is not on the classpath next to "
                        + InstructionCounts.class.getName());
            }
            return parse(new InputStreamReader(in, StandardCharsets.UTF_8), resource);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read cost table " + resource, e);
        }
    }

    /** Reads a table in the properties format ({@code name = instructions}); {@code source} names it in errors. */
    public static InstructionCounts parse(Reader in, String source) throws IOException {
        Properties p = new Properties();
        p.load(in);
        Map<String, Double> figures = new TreeMap<>();
        for (String name : p.stringPropertyNames()) {
            String value = p.getProperty(name).trim();
            double v;
            try {
                v = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("cost table " + source + ": " + name + " = " + value
                        + " is not a number of instructions", e);
            }
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("cost table " + source + ": " + name + " = " + value
                        + " must be a finite number of instructions >= 0");
            }
            figures.put(name, v);
        }
        return new InstructionCounts(source, Map.copyOf(figures));
    }

    /** The instructions of figure {@code name}. */
    public double of(String name) {
        Double v = figures.get(name);
        if (v == null) {
            throw new IllegalStateException("cost table " + source + " has no figure " + name
                    + "; make -C native-kernels/src/main/c calibrate prints every figure the model needs");
        }
        return v;
    }

    /** Every figure of the table, by name. */
    public Map<String, Double> figures() {
        return figures;
    }
}
