package org.spinnaker4j.backend.frontend;

import java.util.List;
import org.deeplearning4j.nn.conf.ConvolutionMode;

/**
 * One axis of a convolution's or pooling layer's window as DL4J 1.0.0-M2.1 sizes it: Same, ⌈size / stride⌉ outputs
 * and ⌊total padding / 2⌋ before them (the rest after); Truncate and Strict, (size + 2 × padding − kernel) / stride + 1
 * outputs from the layer's padding.
 *
 * @param outSize the outputs along the axis
 * @param padding the padding before the first input
 */
record WindowAxis(int outSize, int padding) {

    /**
     * The axis {@code name} of layer {@code i} (of type {@code type}), or null with a problem added: a kernel longer
     * than the padded input; Strict where the stride does not divide the span (the caller passes Truncate where DL4J
     * truncates instead); Same where the padding before comes out negative. DL4J does not clamp that one: a 1-D layer
     * then starts reading past the first inputs, a 2-D convolution refuses it at its first output.
     */
    static WindowAxis of(List<Problem> problems, int i, String type, String name, int size, int kernel, int stride,
            int padding, ConvolutionMode mode) {
        if (mode == ConvolutionMode.Same) {
            int out = (size + stride - 1) / stride;
            // rounded towards 0 as DL4J does: -1 is 0, -2 is -1
            int before = ((out - 1) * stride + kernel - size) / 2;
            if (before < 0) {
                problems.add(new Problem(i, type, "ConvolutionMode.Same with kernel " + kernel + " and stride " + stride
                        + " over " + name + " " + size + " pads by " + before + " (DL4J 1.0.0-M2.1 does not clamp it at"
                        + " 0 and skips the first inputs); not supported: use a kernel of at least "
                        + (size - (out - 1) * stride - 1) + " or ConvolutionMode.Truncate"));
                return null;
            }
            return new WindowAxis(out, before);
        }
        int span = size + 2 * padding - kernel;
        if (span < 0) {
            problems.add(new Problem(i, type, "kernel " + name + " " + kernel + " exceeds the padded input's ("
                    + size + " + 2 × " + padding + ")"));
            return null;
        }
        if (mode == ConvolutionMode.Strict && span % stride != 0) {
            problems.add(new Problem(i, type, "ConvolutionMode.Strict: (" + name + " " + size + " + 2 × padding "
                    + padding + " − kernel " + kernel + ") is not a multiple of stride " + stride
                    + " (DL4J refuses it too)"));
            return null;
        }
        return new WindowAxis(span / stride + 1, padding);
    }
}
