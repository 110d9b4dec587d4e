package dev.gradus.engine.nn;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.init.Constant;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Tensor;
import java.util.List;

/**
 * Batch normalization over {@code [batch, features]} with PyTorch's {@code BatchNorm1d}
 * semantics, so its values and state compare one to one with torch (Ioffe &amp; Szegedy 2015;
 * Goodfellow et al., <i>Deep Learning</i> §8.7.1):
 *
 * <ul>
 *   <li>training: {@code y = scale ⊙ (x − μ_B)/√(σ²_B + ε) + shift} with the batch mean and the
 *       <em>biased</em> batch variance, built from differentiable ops so that gradients flow
 *       through μ_B and σ²_B (the point of the method: the next layer cannot undo the
 *       normalization by shifting the statistics); the running statistics are staged as
 *       {@code r ← (1−m)·r + m·batch} with the <em>unbiased</em> batch variance, as torch does;
 *   <li>evaluation: the running statistics replace the batch ones, so a prediction does not
 *       depend on the other examples of its batch.
 * </ul>
 *
 * <p>Parameters {@code scale} (the book's γ, "initialised to 1") and {@code shift} (β, 0) are
 * torch's {@code weight} and {@code bias}; buffers {@code runningMean} (0) and
 * {@code runningVar} (1) are its {@code running_mean} and {@code running_var}.
 */
public record BatchNorm(int features, double momentum, double epsilon) implements Layer {
  public BatchNorm {
    if (features <= 0) throw new IllegalArgumentException("batch norm features must be > 0, got " + features);
    if (!(momentum >= 0 && momentum <= 1)) throw new IllegalArgumentException("batch norm momentum must be in [0, 1], got " + momentum);
    if (!(epsilon > 0) || !Double.isFinite(epsilon)) throw new IllegalArgumentException("batch norm epsilon must be > 0, got " + epsilon);
  }

  /** torch's defaults: momentum 0.1, ε = 1e-5. */
  public BatchNorm(int features) {
    this(features, 0.1, 1e-5);
  }

  @Override
  public String kind() {
    return "batch-norm";
  }

  @Override
  public int inputSize() {
    return features;
  }

  @Override
  public int outputSize() {
    return features;
  }

  @Override
  public List<ParameterDecl> parameters() {
    long[] shape = {features};
    return List.of(
        new ParameterDecl("scale", shape, new Constant(1.0), features, features),
        new ParameterDecl("shift", shape, Constant.ZEROS, features, features),
        ParameterDecl.buffer("runningMean", shape, Constant.ZEROS),
        ParameterDecl.buffer("runningVar", shape, new Constant(1.0)));
  }

  @Override
  public Var forward(Var input, LayerContext context) {
    long[] s = input.shape();
    if (s.length != 2 || s[1] != features) {
      throw new IllegalArgumentException("batch norm " + context.path() + " expects [batch, " + features + "] but got "
          + Tensor.shapeString(s));
    }
    Var scale = context.param("scale");
    Var shift = context.param("shift");
    Var normalized;
    if (context.training()) {
      long batch = s[0];
      if (batch < 2) {
        // torch refuses too: the unbiased variance of one value is 0/0
        throw new IllegalArgumentException("batch norm " + context.path() + " needs more than 1 example per batch in"
            + " training mode, got " + batch);
      }
      Var mean = Ops.meanRows(input);
      Var centered = Ops.sub(input, mean);
      Var variance = Ops.meanRows(Ops.square(centered));
      normalized = Ops.div(centered, Ops.sqrt(Ops.addScalar(variance, epsilon)));
      stageRunningStatistics(context, mean.value(), variance.value(), batch);
    } else {
      Var mean = context.param("runningMean");
      Var variance = context.param("runningVar");
      normalized = Ops.div(Ops.sub(input, mean), Ops.sqrt(Ops.addScalar(variance, epsilon)));
    }
    return Ops.add(Ops.mul(normalized, scale), shift);
  }

  private void stageRunningStatistics(LayerContext context, Tensor batchMean, Tensor biasedVar, long batch) {
    Backend be = context.tape().backend();
    // plain tensors computed from the values, never tape values: the update is state, not part of the loss
    Tensor runningMean = context.param("runningMean").value();
    Tensor runningVar = context.param("runningVar").value();
    Tensor unbiasedVar = be.scale(biasedVar, (double) batch / (batch - 1));
    context.updateBuffer("runningMean", be.add(be.scale(runningMean, 1 - momentum), be.scale(batchMean, momentum)));
    context.updateBuffer("runningVar", be.add(be.scale(runningVar, 1 - momentum), be.scale(unbiasedVar, momentum)));
  }
}
