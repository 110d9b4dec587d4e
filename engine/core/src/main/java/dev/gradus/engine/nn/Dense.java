package dev.gradus.engine.nn;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.init.Initializer;
import java.util.ArrayList;
import java.util.List;

/**
 * Fully connected layer {@code y = f(x·Wᵀ + b)} with PyTorch's layout: {@code weight[units, inputs]},
 * {@code bias[units]}, so parameters compare one to one with torch.nn.Linear. The activation
 * {@code f} is part of the layer (identity by default) so that a DSL layer {@code dense(256, relu)}
 * is one engine layer and its parameters are {@code layers.i.*} for the i-th declared layer.
 */
public record Dense(int inputSize, int units, boolean bias, Initializer weightInit, Initializer biasInit, Activation activation)
    implements Layer {
  public Dense {
    if (inputSize <= 0) throw new IllegalArgumentException("dense input size must be > 0, got " + inputSize);
    if (units <= 0) throw new IllegalArgumentException("dense units must be > 0, got " + units);
    if (activation == null) throw new IllegalArgumentException("dense activation must not be null (use IDENTITY)");
  }

  /** A dense layer without activation. */
  public Dense(int inputSize, int units, boolean bias, Initializer weightInit, Initializer biasInit) {
    this(inputSize, units, bias, weightInit, biasInit, Activation.IDENTITY);
  }

  /** Name under which a dense layer with a non-identity activation publishes its pre-activation {@code x·Wᵀ + b}. */
  public static final String PRE_ACTIVATION = "preActivation";

  @Override
  public String kind() {
    return activation == Activation.IDENTITY ? "dense" : "dense+" + activation.id();
  }

  @Override
  public int outputSize() {
    return units;
  }

  @Override
  public List<ParameterDecl> parameters() {
    List<ParameterDecl> ps = new ArrayList<>();
    ps.add(new ParameterDecl("weight", new long[] {units, inputSize}, weightInit, inputSize, units));
    if (bias) ps.add(new ParameterDecl("bias", new long[] {units}, biasInit, inputSize, units));
    return ps;
  }

  @Override
  public Var forward(Var input, LayerContext context) {
    Var z = Ops.affine(input, context.param("weight"), bias ? context.param("bias") : null);
    if (activation == Activation.IDENTITY) return z;
    // diagnostics read dL/dz (Glorot & Bengio's back-propagated gradient) from here
    context.publish(PRE_ACTIVATION, z);
    return activation.apply(z);
  }
}
