package dev.gradus.engine.optim;

import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/** Helpers shared by the {@link ParameterAverager} implementations. */
final class ParameterAveragerSupport {
  private ParameterAveragerSupport() {}

  /** {@code θ + u} as a new tensor, or θ itself when there is no update for it. */
  static Tensor iterate(Parameter p, Map<String, Tensor> updates) {
    Tensor u = updates.get(p.path());
    return u == null ? p.value() : p.value().backend().add(p.value(), u);
  }

  /** The new iterate {@code θ + u} as a detached tensor of its own (a first average). */
  static Tensor detachedIterate(Parameter p, Map<String, Tensor> updates) {
    Tensor u = updates.get(p.path());
    Backend be = p.value().backend();
    return u == null ? detachedCopy(p.value()) : be.detach(be.add(p.value(), u));
  }

  /**
   * {@code avg ← avg + w·(x − avg)} in place (torch's {@code lerp_}; exact when {@code x == avg}, so
   * the average of a parameter that does not move stays equal to it bit for bit).
   */
  static void lerpInPlace(Tensor avg, Tensor x, double w) {
    Backend be = avg.backend();
    be.addInPlace(avg, be.sub(x, avg), w);
  }

  /** A detached copy of {@code t}, made outside any scope. */
  static Tensor detachedCopy(Tensor t) {
    Backend be = t.backend();
    Tensor c = be.detach(be.zeros(t.dtype(), t.shape()));
    be.copyInto(c, t);
    return c;
  }

  /** Buffers {@code prefix/path} of {@code dict} for every parameter, detached, in the parameters' types. */
  static Map<String, Tensor> restoreBuffers(StateDict dict, String prefix, ParameterSet params) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Parameter p : params.all()) {
      String key = prefix + "/" + p.path();
      double[] v = dict.tensor(key);
      long[] shape = dict.shapes().get(key);
      if (!java.util.Arrays.equals(shape, p.value().shape())) {
        throw new IllegalArgumentException("optimizer state '" + key + "' has shape " + Tensor.shapeString(shape)
            + " but the parameter has " + Tensor.shapeString(p.value().shape()));
      }
      DType dt = p.value().dtype();
      Backend be = p.value().backend();
      out.put(p.path(), be.detach(be.fromDoubles(dt, v, shape)));
    }
    return out;
  }
}
