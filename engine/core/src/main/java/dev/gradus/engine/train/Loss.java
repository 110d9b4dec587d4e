package dev.gradus.engine.train;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.init.ClassFrequencyBias;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Tensor;

/**
 * The objective on a model's outputs {@code z[rows, outputs]} and integer class labels. Every
 * loss reads the labels as targets its own way, and accuracy is always that of {@code argmax z},
 * so runs with different losses compare on the same footing.
 */
public enum Loss {
  /** Mean over rows of {@code −log softmax(z)_y}: a categorical output. */
  SOFTMAX_CROSS_ENTROPY("softmax-cross-entropy", ClassFrequencyBias.Output.SOFTMAX),
  /**
   * Independent sigmoid outputs against one-hot targets (one-vs-rest): per row
   * {@code Σ_k softplus(z_k) − t_k z_k}, averaged over rows.
   */
  SIGMOID_CROSS_ENTROPY("sigmoid-cross-entropy", ClassFrequencyBias.Output.SIGMOID),
  /**
   * Regression of the outputs onto the one-hot targets: {@code (z − t)²} averaged over rows and
   * outputs, as {@code torch.nn.MSELoss}. Deep linear networks (Saxe et al. 2013) train this way.
   */
  MEAN_SQUARED_ERROR("mean-squared-error", ClassFrequencyBias.Output.IDENTITY);

  private final String id;
  private final ClassFrequencyBias.Output output;

  Loss(String id, ClassFrequencyBias.Output output) {
    this.id = id;
    this.output = output;
  }

  public String id() {
    return id;
  }

  /** How the outputs relate to the targets' mean, which sets output biases from the label statistics. */
  public ClassFrequencyBias.Output output() {
    return output;
  }

  /** The scalar loss of {@code outputs} against INT64 {@code labels[rows]}. */
  public Var apply(Var outputs, Tensor labels) {
    if (this == SOFTMAX_CROSS_ENTROPY) return Ops.softmaxCrossEntropy(outputs, labels);
    Backend be = outputs.tape().backend();
    Tensor targets = be.oneHot(labels, (int) outputs.shape()[1], outputs.value().dtype());
    return this == SIGMOID_CROSS_ENTROPY ? Ops.sigmoidCrossEntropy(outputs, targets) : Ops.meanSquaredError(outputs, targets);
  }

  /** The loss with this id; the error lists the known ones. */
  public static Loss byId(String id) {
    for (Loss l : values()) if (l.id.equals(id)) return l;
    StringBuilder known = new StringBuilder();
    for (Loss l : values()) known.append(known.length() == 0 ? "" : ", ").append(l.id);
    throw new IllegalArgumentException("unknown loss '" + id + "'; known: " + known);
  }
}
