package dev.gradus.engine.optim;

import dev.gradus.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An optimizer state as plain data (torch.optim's {@code state_dict}): float64 copies of every
 * tensor with its shape, and every number, keyed by stable names such as
 * {@code "0/momentum/layers.0.weight"} or {@code "1/step"}. What checkpoints store; restoring it
 * with {@link GradientTransform#restore} continues exactly where the run stopped.
 */
public record StateDict(
    Map<String, double[]> tensors, Map<String, long[]> shapes, Map<String, Double> scalars, Map<String, long[]> words) {
  public StateDict {
    tensors = Map.copyOf(tensors);
    shapes = Map.copyOf(shapes);
    scalars = Map.copyOf(scalars);
    words = Map.copyOf(words);
    if (!tensors.keySet().equals(shapes.keySet())) throw new IllegalArgumentException("every tensor needs a shape");
  }

  public static StateDict of(OptimizerState state) {
    Map<String, double[]> t = new LinkedHashMap<>();
    Map<String, long[]> s = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : state.tensors().entrySet()) {
      t.put(e.getKey(), e.getValue().toDoubles());
      s.put(e.getKey(), e.getValue().shape().clone());
    }
    Map<String, long[]> w = new LinkedHashMap<>();
    state.words().forEach((k, v) -> w.put(k, v.clone()));
    return new StateDict(t, s, state.scalars(), w);
  }

  /** The entries under {@code prefix + "/"}, with the prefix removed (a chain member's part). */
  public StateDict member(String prefix) {
    String p = prefix + "/";
    Map<String, double[]> t = new LinkedHashMap<>();
    Map<String, long[]> s = new LinkedHashMap<>();
    Map<String, Double> c = new LinkedHashMap<>();
    Map<String, long[]> w = new LinkedHashMap<>();
    words.forEach((k, v) -> {
      if (k.startsWith(p)) w.put(k.substring(p.length()), v);
    });
    tensors.forEach((k, v) -> {
      if (k.startsWith(p)) {
        t.put(k.substring(p.length()), v);
        s.put(k.substring(p.length()), shapes.get(k));
      }
    });
    scalars.forEach((k, v) -> {
      if (k.startsWith(p)) c.put(k.substring(p.length()), v);
    });
    return new StateDict(t, s, c, w);
  }

  public double scalar(String key) {
    Double v = scalars.get(key);
    if (v == null) throw new IllegalArgumentException("optimizer state has no scalar '" + key + "'; scalars: " + scalars.keySet());
    return v;
  }

  public double[] tensor(String key) {
    double[] v = tensors.get(key);
    if (v == null) throw new IllegalArgumentException("optimizer state has no tensor '" + key + "'; tensors: " + tensors.keySet());
    return v;
  }

  public long[] words(String key) {
    long[] v = words.get(key);
    if (v == null) throw new IllegalArgumentException("optimizer state has no words '" + key + "'; words: " + words.keySet());
    return v;
  }

  /** Equal keys, shapes and values, bit for bit. */
  public boolean sameAs(StateDict o) {
    if (!scalars.equals(o.scalars) || !tensors.keySet().equals(o.tensors.keySet())) return false;
    if (!words.keySet().equals(o.words.keySet())) return false;
    for (String k : words.keySet()) if (!Arrays.equals(words.get(k), o.words.get(k))) return false;
    for (String k : tensors.keySet()) {
      if (!Arrays.equals(tensors.get(k), o.tensors.get(k)) || !Arrays.equals(shapes.get(k), o.shapes.get(k))) return false;
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StateDict d && sameAs(d);
  }

  @Override
  public int hashCode() {
    return Objects.hash(scalars, tensors.keySet());
  }
}
