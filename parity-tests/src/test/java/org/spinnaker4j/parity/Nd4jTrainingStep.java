package org.spinnaker4j.parity;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What nd4j-native's BatchNormalization layer (a network's layer 0) computes in one training step on a mini-batch
 * {@code x} with the gradient {@code delta} of its outputs: its outputs with the mini-batch's statistics, gamma's and
 * beta's gradients (sums over the batch) and the delta it sends back.
 */
record Nd4jTrainingStep(float[][] y, float[] dGamma, float[] dBeta, float[][] deltaBack) {

    static Nd4jTrainingStep of(MultiLayerNetwork net, INDArray x, INDArray delta) {
        Layer bn = net.getLayer(0);
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        net.initGradientsView();
        bn.setInput(x, mgr);
        float[][] y = bn.activate(true, mgr).toFloatMatrix();
        Pair<Gradient, INDArray> back = bn.backpropGradient(delta, mgr);
        return new Nd4jTrainingStep(y, back.getFirst().getGradientFor("gamma").toFloatVector(),
                back.getFirst().getGradientFor("beta").toFloatVector(), back.getSecond().toFloatMatrix());
    }
}
