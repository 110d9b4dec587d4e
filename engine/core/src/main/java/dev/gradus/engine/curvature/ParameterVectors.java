package dev.gradus.engine.curvature;

import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Vectors in parameter space: {@code Map<String, Tensor>} keyed by parameter path, one tensor per
 * trainable parameter shaped like it, in the parameter set's order. Every method here treats a
 * path missing from one operand as an error, so two vectors from different parameter selections
 * are never silently combined. Results are new tensors in the backend's current memory scope.
 */
public final class ParameterVectors {
  private ParameterVectors() {}

  /** {@code Σ_p ⟨a_p, b_p⟩}, accumulated in double. */
  public static double dot(Map<String, Tensor> a, Map<String, Tensor> b) {
    requireSameKeys(a, b);
    double s = 0;
    for (Map.Entry<String, Tensor> e : a.entrySet()) {
      Tensor x = e.getValue();
      s += x.backend().item(x.backend().sum(x.backend().mul(x, b.get(e.getKey()))));
    }
    return s;
  }

  /** The Euclidean norm {@code √(a·a)}. */
  public static double norm(Map<String, Tensor> a) {
    double n = Math.sqrt(dot(a, a));
    if (Double.isFinite(n)) return n;
    // the sum of squares overflowed (or an element is not finite): rescale by the largest magnitude
    double max = 0;
    for (Tensor t : a.values()) for (double x : t.toDoubles()) max = Math.max(max, Math.abs(x));
    if (!Double.isFinite(max)) return max;
    double s = 0;
    for (Tensor t : a.values()) for (double x : t.toDoubles()) s += (x / max) * (x / max);
    return max * Math.sqrt(s);
  }

  /** {@code y + α·x}, a new vector. */
  public static Map<String, Tensor> axpy(double alpha, Map<String, Tensor> x, Map<String, Tensor> y) {
    requireSameKeys(x, y);
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : y.entrySet()) {
      Backend be = e.getValue().backend();
      out.put(e.getKey(), be.add(e.getValue(), be.scale(x.get(e.getKey()), alpha)));
    }
    return out;
  }

  /** {@code α·x}, a new vector. */
  public static Map<String, Tensor> scale(double alpha, Map<String, Tensor> x) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    x.forEach((path, t) -> out.put(path, t.backend().scale(t, alpha)));
    return out;
  }

  /** Zeros shaped like each trainable parameter of {@code params}. */
  public static Map<String, Tensor> zeros(ParameterSet params) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Parameter p : params.trainable()) out.put(p.path(), p.value().backend().zeros(p.value().dtype(), p.value().shape()));
    return out;
  }

  /** Standard normal entries from {@code rng}, shaped like each trainable parameter, in path order. */
  public static Map<String, Tensor> gaussian(ParameterSet params, RandomStream rng) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Parameter p : params.trainable()) {
      double[] v = new double[Math.toIntExact(p.value().size())];
      for (int i = 0; i < v.length; i++) v[i] = rng.nextGaussian();
      out.put(p.path(), p.value().backend().fromDoubles(p.value().dtype(), v, p.value().shape()));
    }
    return out;
  }

  /** The trainable parameters' current values as a vector (the tensors themselves, not copies). */
  public static Map<String, Tensor> values(ParameterSet params) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Parameter p : params.trainable()) out.put(p.path(), p.value());
    return out;
  }

  /** Number of elements. */
  public static int size(Map<String, Tensor> a) {
    long n = 0;
    for (Tensor t : a.values()) n += t.size();
    return Math.toIntExact(n);
  }

  /** All elements in path order, each tensor row-major. */
  public static double[] flatten(Map<String, Tensor> a) {
    double[] out = new double[size(a)];
    int at = 0;
    for (Tensor t : a.values()) {
      double[] d = t.toDoubles();
      System.arraycopy(d, 0, out, at, d.length);
      at += d.length;
    }
    return out;
  }

  /** The inverse of {@link #flatten}: {@code flat} cut into tensors shaped like {@code like}'s, same keys and types. */
  public static Map<String, Tensor> unflatten(double[] flat, Map<String, Tensor> like) {
    if (flat.length != size(like)) {
      throw new IllegalArgumentException("a flat vector of " + flat.length + " values cannot fill " + size(like) + " parameter elements");
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    int at = 0;
    for (Map.Entry<String, Tensor> e : like.entrySet()) {
      Tensor t = e.getValue();
      int n = Math.toIntExact(t.size());
      double[] part = new double[n];
      System.arraycopy(flat, at, part, 0, n);
      at += n;
      out.put(e.getKey(), t.backend().fromDoubles(t.dtype(), part, t.shape()));
    }
    return out;
  }

  /** Whether every element is finite. */
  public static boolean allFinite(Map<String, Tensor> a) {
    for (Tensor t : a.values()) if (!t.backend().allFinite(t)) return false;
    return true;
  }

  /** Checks that {@code v} has exactly the trainable paths of {@code params}, with their shapes. */
  static void requireMatches(ParameterSet params, Map<String, Tensor> v, String what) {
    List<Parameter> trainable = params.trainable();
    if (v.size() != trainable.size()) {
      throw new IllegalArgumentException(what + " has entries " + v.keySet() + " but the trainable parameters are "
          + trainable.stream().map(Parameter::path).toList());
    }
    for (Parameter p : trainable) {
      Tensor t = v.get(p.path());
      if (t == null) {
        throw new IllegalArgumentException(what + " has no entry for trainable parameter " + p.path() + "; it has " + v.keySet());
      }
      if (!java.util.Arrays.equals(t.shape(), p.value().shape())) {
        throw new IllegalArgumentException(what + "[" + p.path() + "] has shape " + Tensor.shapeString(t.shape()) + ", the parameter "
            + Tensor.shapeString(p.value().shape()));
      }
    }
  }

  private static void requireSameKeys(Map<String, Tensor> a, Map<String, Tensor> b) {
    if (!a.keySet().equals(b.keySet())) {
      throw new IllegalArgumentException("parameter vectors over different paths: " + a.keySet() + " and " + b.keySet());
    }
  }
}
