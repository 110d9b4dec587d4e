package dev.gradus.engine.nn;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.tensor.Tensor;
import java.util.List;

/**
 * Inverted dropout (Srivastava et al. 2014; Goodfellow et al., <i>Deep Learning</i> §7.12): in
 * training mode each unit is kept with probability {@code 1 − rate} and a kept value is scaled by
 * {@code 1/(1 − rate)}, so the expected activation is unchanged and evaluation mode is simply the
 * identity (no weight scaling at test time, as in torch's {@code nn.Dropout}).
 *
 * <p>The mask is drawn in Java from {@link LayerContext#random()}, one {@code nextDouble} per
 * element in row-major order, so a seed gives the same mask on every backend and device.
 */
public record Dropout(int features, double rate) implements Layer {
  public Dropout {
    if (features <= 0) throw new IllegalArgumentException("dropout features must be > 0, got " + features);
    // rate 1 would drop everything and scale by 1/0
    if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
  }

  @Override
  public String kind() {
    return "dropout";
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
    return List.of();
  }

  @Override
  public Var forward(Var input, LayerContext context) {
    long[] s = input.shape();
    if (s.length != 2 || s[1] != features) {
      throw new IllegalArgumentException("dropout " + context.path() + " expects [batch, " + features + "] but got "
          + Tensor.shapeString(s));
    }
    if (!context.training() || rate == 0) return input;
    RandomStream random = context.random();
    double keep = 1 - rate;
    double kept = 1 / keep;
    double[] mask = new double[Math.toIntExact(input.value().size())];
    for (int i = 0; i < mask.length; i++) mask[i] = random.nextDouble() < keep ? kept : 0.0;
    Tensor m = context.tape().backend().fromDoubles(input.value().dtype(), mask, s);
    return Ops.mul(input, context.tape().constant(m, "dropout-mask"));
  }
}
