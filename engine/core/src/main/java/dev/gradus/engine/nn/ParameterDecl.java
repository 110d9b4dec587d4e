package dev.gradus.engine.nn;

import dev.gradus.engine.init.Initializer;

/**
 * A parameter or buffer a layer needs: its name within the layer, shape, initializer and fans.
 *
 * @param buffer state the layer keeps but no optimizer trains (batch normalization's running
 *     mean and variance): saved, restored and copied with the parameters, never given a gradient
 */
public record ParameterDecl(String name, long[] shape, Initializer initializer, int fanIn, int fanOut, boolean buffer) {
  /** A trainable parameter. */
  public ParameterDecl(String name, long[] shape, Initializer initializer, int fanIn, int fanOut) {
    this(name, shape, initializer, fanIn, fanOut, false);
  }

  /** A buffer: state kept by the layer, not trained. */
  public static ParameterDecl buffer(String name, long[] shape, Initializer initializer) {
    long n = 1;
    for (long d : shape) n *= d;
    return new ParameterDecl(name, shape, initializer, (int) n, (int) n, true);
  }

  /** The same declaration under {@code prefix.name}, for composite layers. */
  public ParameterDecl prefixed(String prefix) {
    return new ParameterDecl(prefix + "." + name, shape, initializer, fanIn, fanOut, buffer);
  }
}
