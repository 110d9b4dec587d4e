package dev.gradus.engine.init;

import dev.gradus.engine.random.RandomStream;
import java.util.Arrays;

/** Every value equal to {@code value}: zeros for biases, or e.g. 0.1 for ReLU biases. */
public record Constant(double value) implements Initializer {
  public static final Constant ZEROS = new Constant(0.0);

  public Constant {
    Checks.finite("constant value", value);
  }

  @Override
  public String name() {
    return value == 0.0 ? "zeros" : "constant(" + value + ")";
  }

  @Override
  public double[] sample(long[] shape, int fanIn, int fanOut, RandomStream rng) {
    double[] v = new double[Initializer.count(shape)];
    Arrays.fill(v, value);
    return v;
  }
}
