package dev.gradus.engine.nn;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.init.Constant;
import dev.gradus.engine.init.GlorotUniform;
import dev.gradus.engine.init.Initializer;
import dev.gradus.engine.init.Orthogonal;
import dev.gradus.engine.tensor.Tensor;
import java.util.List;

/**
 * An Elman recurrent layer (Elman 1990) reading each input row as a sequence: a row of
 * {@code inputSize} values is {@code T = inputSize / stepFeatures} steps of {@code stepFeatures}
 * (Fashion-MNIST's 784 pixels as 28 rows of 28), and
 * {@code h_0 = 0}, {@code h_t = tanh(x_t·W_xᵀ + h_{t−1}·W_hᵀ + b)}, output {@code h_T}. This is
 * torch's {@code nn.RNN} (tanh, one layer, batch_first) with its two biases folded into one.
 *
 * <p>Backpropagation through time is the tape's reverse pass over the unrolled steps. Every
 * hidden state is published as {@code hidden.<t>} for t = 1..T, so an experiment can read
 * ‖∂L/∂h_t‖ after backward and watch gradients vanish or explode over time (Goodfellow et al.,
 * <i>Deep Learning</i> §8.2.5 and §10.7).
 *
 * <p>Parameters {@code inputWeight[hidden, stepFeatures]} (torch's {@code weight_ih_l0}),
 * {@code recurrentWeight[hidden, hidden]} ({@code weight_hh_l0}), {@code bias[hidden]}
 * ({@code bias_ih_l0 + bias_hh_l0}).
 */
public record ElmanRnn(int inputSize, int stepFeatures, int hidden, Initializer inputInit, Initializer recurrentInit,
    Initializer biasInit) implements Layer {
  public ElmanRnn {
    if (inputSize <= 0 || stepFeatures <= 0 || hidden <= 0) {
      throw new IllegalArgumentException("elman rnn sizes must be > 0, got inputSize " + inputSize + ", stepFeatures "
          + stepFeatures + ", hidden " + hidden);
    }
    if (inputSize % stepFeatures != 0) {
      throw new IllegalArgumentException("elman rnn reads rows of " + inputSize + " values as steps of " + stepFeatures
          + " features, but " + inputSize + " is not a multiple of " + stepFeatures);
    }
    if (inputInit == null || recurrentInit == null || biasInit == null) {
      throw new IllegalArgumentException("elman rnn initializers must not be null");
    }
  }

  /** Glorot-uniform input weights, orthogonal recurrent weights, zero bias. */
  public ElmanRnn(int inputSize, int stepFeatures, int hidden) {
    this(inputSize, stepFeatures, hidden, new GlorotUniform(), new Orthogonal(), Constant.ZEROS);
  }

  /** Number of time steps T. */
  public int steps() {
    return inputSize / stepFeatures;
  }

  @Override
  public String kind() {
    return "elman-rnn";
  }

  @Override
  public int outputSize() {
    return hidden;
  }

  @Override
  public List<ParameterDecl> parameters() {
    return List.of(
        new ParameterDecl("inputWeight", new long[] {hidden, stepFeatures}, inputInit, stepFeatures, hidden),
        new ParameterDecl("recurrentWeight", new long[] {hidden, hidden}, recurrentInit, hidden, hidden),
        new ParameterDecl("bias", new long[] {hidden}, biasInit, stepFeatures, hidden));
  }

  @Override
  public Var forward(Var input, LayerContext context) {
    long[] s = input.shape();
    if (s.length != 2 || s[1] != inputSize) {
      throw new IllegalArgumentException("elman rnn " + context.path() + " expects [batch, " + inputSize + "] but got "
          + Tensor.shapeString(s));
    }
    Var wx = context.param("inputWeight");
    Var wh = context.param("recurrentWeight");
    Var b = context.param("bias");
    Var h = null;
    for (int t = 1; t <= steps(); t++) {
      Var pre = Ops.affine(Ops.columns(input, (t - 1) * stepFeatures, stepFeatures), wx, b);
      // h_0 = 0 contributes nothing: skip its product
      if (h != null) pre = Ops.add(pre, Ops.matmul(h, wh, false, true));
      h = Ops.tanh(pre);
      context.publish("hidden." + t, h);
    }
    return h;
  }
}
