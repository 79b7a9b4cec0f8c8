package org.spinnaker4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.spinnaker4j.backend.frontend.Problem;
import org.spinnaker4j.backend.frontend.UnsupportedNetworkException;

/**
 * Same-mode padding that comes out negative (kernel 1, stride 4 over 7 values: ⌊(4 + 1 − 7) / 2⌋ = −1) is refused at
 * init, naming the layer and the option: DL4J 1.0.0-M2.1 on nd4j-native does not clamp it at 0 (a Convolution1DLayer
 * or Subsampling1DLayer then reads inputs 1 and 5, not 0 and 4; a ConvolutionLayer throws at its first output).
 */
class SamePaddingRejectionTest {

    @Test
    void aConvolution1DLayerIsRefused() {
        Problem p = refused(0, InputType.recurrent(2, 7), SpiNNakerOptions.builder().sequenceLength(7).build(),
                new Convolution1DLayer.Builder().nIn(2).nOut(3).kernelSize(1).stride(4)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build());
        assertEquals("Convolution1DLayer", p.layerType());
    }

    @Test
    void aSubsampling1DLayerIsRefused() {
        Problem p = refused(1, InputType.recurrent(2, 7), SpiNNakerOptions.builder().sequenceLength(7).build(),
                new Convolution1DLayer.Builder().nIn(2).nOut(3).kernelSize(3).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.TANH).build(),
                new Subsampling1DLayer.Builder().kernelSize(1).stride(4).convolutionMode(ConvolutionMode.Same)
                        .build());
        assertEquals("Subsampling1DLayer", p.layerType());
    }

    @Test
    void aConvolutionLayerIsRefused() {
        Problem p = refused(0, InputType.convolutional(7, 7, 1), SpiNNakerOptions.builder().imageSize(7, 7).build(),
                new ConvolutionLayer.Builder().nIn(1).nOut(2).kernelSize(1, 1).stride(4, 4)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build());
        assertEquals("ConvolutionLayer", p.layerType());
    }

    /** The one problem with the padding, of layer {@code layer} of {@code layers} and an output layer over input. */
    private static Problem refused(int layer, InputType input, SpiNNakerOptions options, Layer... layers) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().list();
        for (Layer l : layers) {
            list.layer(l);
        }
        list.layer(new OutputLayer.Builder(LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build());
        SpiNNakerMultiLayerNetwork net = new SpiNNakerMultiLayerNetwork(list.setInputType(input).build(), options);
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class, net::init);
        List<Problem> padding = e.problems().stream().filter(p -> p.reason().contains("ConvolutionMode.Same")).toList();
        assertEquals(1, padding.size(), e.getMessage());
        Problem p = padding.get(0);
        assertEquals(layer, p.layerIndex(), e.getMessage());
        assertTrue(p.reason().contains("kernel 1 and stride 4") && p.reason().contains("pads by -1")
                && p.reason().contains("kernel of at least 2"), p.reason());
        return p;
    }
}
