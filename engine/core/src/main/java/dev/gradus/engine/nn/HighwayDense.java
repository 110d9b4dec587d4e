package dev.gradus.engine.nn;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.init.Constant;
import dev.gradus.engine.init.GlorotUniform;
import dev.gradus.engine.init.Initializer;
import java.util.List;

/**
 * A highway layer (Srivastava, Greff &amp; Schmidhuber 2015) in the "carry gate" form
 * {@code c = σ(x·W_cᵀ + b_c)}, {@code y = c ⊙ x + (1 − c) ⊙ f(x·Wᵀ + b)}: where the gate is open
 * the input passes unchanged, so a deep stack starts close to the identity and gradients reach
 * the early layers (Goodfellow et al., <i>Deep Learning</i> §8.7.5 and §10.10).
 *
 * <p>The gate bias starts at 1 by default (the book's "gate bias of 1", as for an LSTM's forget
 * gate): σ(1) ≈ 0.73, so each layer starts by mostly carrying its input. The transform bias
 * starts at 0. Parameters {@code weight[features, features]}, {@code bias[features]},
 * {@code gateWeight[features, features]}, {@code gateBias[features]}, PyTorch's layout.
 */
public record HighwayDense(int features, Activation activation, Initializer weightInit, Initializer gateWeightInit,
    Initializer gateBiasInit) implements Layer {
  public HighwayDense {
    if (features <= 0) throw new IllegalArgumentException("highway features must be > 0, got " + features);
    if (activation == null) throw new IllegalArgumentException("highway activation must not be null (use IDENTITY)");
    if (weightInit == null || gateWeightInit == null || gateBiasInit == null) {
      throw new IllegalArgumentException("highway initializers must not be null");
    }
  }

  /** Glorot-uniform weights, zero transform bias, gate bias 1. */
  public HighwayDense(int features, Activation activation) {
    this(features, activation, new GlorotUniform(), new GlorotUniform(), new Constant(1.0));
  }

  @Override
  public String kind() {
    return "highway+" + activation.id();
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
    long[] square = {features, features};
    long[] vector = {features};
    return List.of(
        new ParameterDecl("weight", square, weightInit, features, features),
        new ParameterDecl("bias", vector, Constant.ZEROS, features, features),
        new ParameterDecl("gateWeight", square, gateWeightInit, features, features),
        new ParameterDecl("gateBias", vector, gateBiasInit, features, features));
  }

  @Override
  public Var forward(Var input, LayerContext context) {
    Var carry = Ops.sigmoid(Ops.affine(input, context.param("gateWeight"), context.param("gateBias")));
    Var transformed = activation.apply(Ops.affine(input, context.param("weight"), context.param("bias")));
    // c ⊙ x + (1 − c) ⊙ h = h + c ⊙ (x − h): one product fewer, same function
    return Ops.add(transformed, Ops.mul(carry, Ops.sub(input, transformed)));
  }
}
