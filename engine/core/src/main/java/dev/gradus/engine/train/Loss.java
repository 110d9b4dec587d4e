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

  /**
   * The loss with the continuation and curriculum options: example {@code weights[rows]} (null:
   * all 1; the loss is then the weighted mean over rows), label smoothing {@code ε} (targets
   * {@code (1 − ε)·onehot + ε/K}; for sigmoid outputs {@code (1 − ε)·t + ε/2}) and a softmax
   * or sigmoid temperature {@code T} (the outputs are divided by it). With no weights, ε = 0
   * and T = 1 this is exactly {@link #apply(Var, Tensor)}.
   */
  public Var apply(Var outputs, Tensor labels, Tensor weights, double labelSmoothing, double temperature) {
    if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
      throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + labelSmoothing);
    }
    if (!(temperature > 0) || !Double.isFinite(temperature)) {
      throw new IllegalArgumentException("temperature must be > 0 and finite, got " + temperature);
    }
    if (weights == null && labelSmoothing == 0 && temperature == 1) return apply(outputs, labels);
    if (temperature != 1 && this == MEAN_SQUARED_ERROR) {
      throw new IllegalArgumentException("a temperature applies to softmax or sigmoid outputs, not to " + id);
    }
    Backend be = outputs.tape().backend();
    Var z = temperature == 1 ? outputs : Ops.scale(outputs, 1.0 / temperature);
    int k = (int) outputs.shape()[1];
    Tensor t = be.oneHot(labels, k, outputs.value().dtype());
    if (labelSmoothing > 0) {
      double floor = this == SIGMOID_CROSS_ENTROPY ? 0.5 : 1.0 / k;
      t = be.addScalar(be.scale(t, 1 - labelSmoothing), labelSmoothing * floor);
    }
    if (this == SOFTMAX_CROSS_ENTROPY) return Ops.softTargetCrossEntropy(z, t, weights);
    long rows = outputs.shape()[0];
    // per element: sigmoid CE softplus(z) − t·z, or squared error (z − t)²
    Var elements = this == SIGMOID_CROSS_ENTROPY
        ? Ops.sub(Ops.softplus(z), Ops.mul(z, z.tape().constant(t, "targets")))
        : Ops.square(Ops.sub(z, z.tape().constant(t, "targets")));
    if (weights == null) {
      return this == SIGMOID_CROSS_ENTROPY ? Ops.scale(Ops.sum(elements), 1.0 / rows) : Ops.mean(elements);
    }
    double total = be.item(be.sum(weights));
    if (!(total > 0)) throw new IllegalArgumentException("example weights must have a positive sum, got " + total);
    Var weighted = Ops.sum(Ops.mul(elements, z.tape().constant(be.reshape(weights, rows, 1), "weights")));
    // the unweighted forms average sigmoid CE over rows and squared error over rows and outputs
    return Ops.scale(weighted, this == SIGMOID_CROSS_ENTROPY ? 1.0 / total : 1.0 / (total * k));
  }

  /** The scalar loss of {@code outputs} against INT64 {@code labels[rows]}. */
  public Var apply(Var outputs, Tensor labels) {
    if (this == SOFTMAX_CROSS_ENTROPY) return Ops.softmaxCrossEntropy(outputs, labels);
    Backend be = outputs.tape().backend();
    Tensor targets = be.oneHot(labels, (int) outputs.shape()[1], outputs.value().dtype());
    return this == SIGMOID_CROSS_ENTROPY ? Ops.sigmoidCrossEntropy(outputs, targets) : Ops.meanSquaredError(outputs, targets);
  }

  /**
   * Each row's loss, {@code [rows]}, outside any tape (curricula rank examples by it; the mean of
   * the result is {@link #apply}'s value).
   */
  public Tensor perExample(Backend be, Tensor outputs, Tensor labels) {
    if (this == SOFTMAX_CROSS_ENTROPY) return be.neg(be.pickColumns(be.logSoftmax(outputs), labels));
    int k = (int) outputs.shape()[1];
    Tensor t = be.oneHot(labels, k, outputs.dtype());
    if (this == SIGMOID_CROSS_ENTROPY) return be.sum(be.sub(be.softplus(outputs), be.mul(t, outputs)), 1, false);
    return be.scale(be.sum(be.square(be.sub(outputs, t)), 1, false), 1.0 / k);
  }

  /** The loss with this id; the error lists the known ones. */
  public static Loss byId(String id) {
    for (Loss l : values()) if (l.id.equals(id)) return l;
    StringBuilder known = new StringBuilder();
    for (Loss l : values()) known.append(known.length() == 0 ? "" : ", ").append(l.id);
    throw new IllegalArgumentException("unknown loss '" + id + "'; known: " + known);
  }
}
