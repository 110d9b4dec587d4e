package dev.gradus.engine.optim.batch;

import dev.gradus.engine.optim.StateDict;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A batch method's state as plain data: flat double vectors (parameter-space vectors are
 * flattened in the trainable parameters' order, as {@link dev.gradus.engine.curvature.ParameterVectors#flatten};
 * matrices row-major) and numbers, each under a stable name ({@code "d"}, {@code "old_stps/3"},
 * {@code "H_diag"}). Holds no tensors, so it survives memory scopes and saves as a
 * {@link StateDict} ({@link #toStateDict}, {@link #fromStateDict}) without help from the method.
 *
 * <p>Ownership is linear as for {@link dev.gradus.engine.optim.GradientTransform}: a step may
 * change the state it is given and returns the state to use next.
 */
public final class BatchState {
  private final Map<String, double[]> vectors = new LinkedHashMap<>();
  private final Map<String, Double> scalars = new LinkedHashMap<>();

  public Map<String, double[]> vectors() {
    return vectors;
  }

  public Map<String, Double> scalars() {
    return scalars;
  }

  public double[] vector(String key) {
    return vectors.get(key);
  }

  public boolean has(String key) {
    return vectors.containsKey(key) || scalars.containsKey(key);
  }

  public double scalar(String key, double fallback) {
    Double v = scalars.get(key);
    return v == null ? fallback : v;
  }

  public BatchState put(String key, double[] v) {
    if (v == null) vectors.remove(key);
    else vectors.put(key, v);
    return this;
  }

  public BatchState put(String key, double v) {
    scalars.put(key, v);
    return this;
  }

  public BatchState remove(String key) {
    vectors.remove(key);
    scalars.remove(key);
    return this;
  }

  /** A deep copy. */
  public BatchState copy() {
    BatchState s = new BatchState();
    vectors.forEach((k, v) -> s.vectors.put(k, v.clone()));
    s.scalars.putAll(scalars);
    return s;
  }

  /** The members of {@code prefix + "/"} with the prefix removed (a nested method's state), copied. */
  public BatchState member(String prefix) {
    String p = prefix + "/";
    BatchState s = new BatchState();
    vectors.forEach((k, v) -> {
      if (k.startsWith(p)) s.vectors.put(k.substring(p.length()), v);
    });
    scalars.forEach((k, v) -> {
      if (k.startsWith(p)) s.scalars.put(k.substring(p.length()), v);
    });
    return s;
  }

  /** Replaces the members under {@code prefix + "/"} by {@code nested}'s entries. */
  public BatchState putMember(String prefix, BatchState nested) {
    String p = prefix + "/";
    vectors.keySet().removeIf(k -> k.startsWith(p));
    scalars.keySet().removeIf(k -> k.startsWith(p));
    nested.vectors.forEach((k, v) -> vectors.put(p + k, v));
    nested.scalars.forEach((k, v) -> scalars.put(p + k, v));
    return this;
  }

  /** As a {@link StateDict}: every vector a rank-1 tensor. */
  public StateDict toStateDict() {
    Map<String, double[]> t = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    vectors.forEach((k, v) -> {
      t.put(k, v.clone());
      shapes.put(k, new long[] {v.length});
    });
    return new StateDict(t, shapes, scalars, Map.of());
  }

  public static BatchState fromStateDict(StateDict d) {
    BatchState s = new BatchState();
    // StateDict's maps are unordered copies: sort for a stable iteration order
    new java.util.TreeMap<>(d.tensors()).forEach((k, v) -> s.vectors.put(k, v.clone()));
    s.scalars.putAll(new java.util.TreeMap<>(d.scalars()));
    return s;
  }

  @Override
  public String toString() {
    return "BatchState" + vectors.keySet() + scalars;
  }
}
