package dev.gradus.engine.nn;

import java.util.List;

/**
 * A classifier on an intermediate layer (deeply-supervised nets, GoogLeNet's auxiliary
 * classifiers): it reads the output of layer {@code after}, and its loss, times {@code weight},
 * joins the objective during training. Evaluation uses the main output only, and
 * {@link Model#withoutHeads()} drops the heads after training.
 */
public record AuxiliaryHead(int after, List<Layer> layers, double weight) {
  public AuxiliaryHead {
    if (layers == null || layers.isEmpty()) throw new IllegalArgumentException("an auxiliary head needs at least one layer");
    if (!(weight >= 0) || !Double.isFinite(weight)) throw new IllegalArgumentException("an auxiliary head's weight must be finite and >= 0, got " + weight);
    layers = List.copyOf(layers);
  }
}
