package dev.gradus.engine.nn;

import dev.gradus.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's parameters and buffers by path, in declaration order; kept apart from the model's
 * structure. {@link #all()} lists the parameters only, which is what optimizers iterate over;
 * buffers (running statistics) live beside them in {@link #buffers()} and travel with them in
 * {@link #snapshot()}, {@link #get} and {@link #close()}.
 */
public final class ParameterSet implements AutoCloseable {
  private final Map<String, Parameter> byPath = new LinkedHashMap<>();
  private final Map<String, Parameter> buffers = new LinkedHashMap<>();

  public void add(Parameter p) {
    if (byPath.containsKey(p.path()) || buffers.containsKey(p.path())) {
      throw new IllegalArgumentException("duplicate parameter path " + p.path());
    }
    (p.isBuffer() ? buffers : byPath).put(p.path(), p);
  }

  /** A parameter or buffer by path. */
  public Parameter get(String path) {
    Parameter p = byPath.get(path);
    if (p == null) p = buffers.get(path);
    if (p == null) throw new IllegalArgumentException("no parameter '" + path + "'; paths: " + entries().keySet());
    return p;
  }

  public boolean contains(String path) {
    return byPath.containsKey(path) || buffers.containsKey(path);
  }

  /** The parameters (not the buffers), in declaration order. */
  public Collection<Parameter> all() {
    return Collections.unmodifiableCollection(byPath.values());
  }

  /** The buffers (layer state such as running statistics), in declaration order. */
  public Collection<Parameter> buffers() {
    return Collections.unmodifiableCollection(buffers.values());
  }

  /** Parameters, then buffers, by path. */
  public Map<String, Parameter> entries() {
    Map<String, Parameter> out = new LinkedHashMap<>(byPath);
    out.putAll(buffers);
    return out;
  }

  public List<Parameter> trainable() {
    List<Parameter> out = new ArrayList<>();
    for (Parameter p : byPath.values()) if (p.trainable()) out.add(p);
    return out;
  }

  /** Paths of the parameters (not the buffers). */
  public List<String> paths() {
    return new ArrayList<>(byPath.keySet());
  }

  /** Number of parameter elements (buffers not counted). */
  public long count() {
    long n = 0;
    for (Parameter p : byPath.values()) n += p.value().size();
    return n;
  }

  /** A copy of every value, parameters then buffers, as doubles by path: for comparisons, records and tests. */
  public Map<String, double[]> snapshot() {
    Map<String, double[]> out = new LinkedHashMap<>();
    for (Parameter p : byPath.values()) out.put(p.path(), p.value().toDoubles());
    for (Parameter p : buffers.values()) out.put(p.path(), p.value().toDoubles());
    return out;
  }

  /**
   * Freezes the parameters matching any of {@code patterns} ({@link PathPattern} globs); returns
   * their paths. A pattern that matches no parameter is an error: a typo would otherwise train
   * what was meant to stay fixed.
   */
  public List<String> freeze(List<String> patterns) {
    return setTrainable(patterns, false);
  }

  /** Unfreezes the parameters matching any of {@code patterns}; returns their paths. */
  public List<String> unfreeze(List<String> patterns) {
    return setTrainable(patterns, true);
  }

  /**
   * Makes exactly the parameters matching {@code patterns} trainable and freezes the rest
   * (an empty list trains everything); returns the trained paths.
   */
  public List<String> trainOnly(List<String> patterns) {
    if (patterns.isEmpty()) {
      for (Parameter p : byPath.values()) p.setTrainable(true);
      return paths();
    }
    for (Parameter p : byPath.values()) p.setTrainable(false);
    return setTrainable(patterns, true);
  }

  private List<String> setTrainable(List<String> patterns, boolean trainable) {
    List<String> matched = new ArrayList<>();
    for (String glob : patterns) {
      PathPattern pattern = PathPattern.of(glob);
      boolean any = false;
      for (Parameter p : byPath.values()) {
        if (!pattern.matches(p.path())) continue;
        any = true;
        p.setTrainable(trainable);
        if (!matched.contains(p.path())) matched.add(p.path());
      }
      if (!any) throw new IllegalArgumentException("pattern '" + glob + "' matches no parameter; paths: " + paths());
    }
    return matched;
  }

  /**
   * Copies values from {@code source} into this set's tensors (parameters and buffers) as
   * {@code mapping} says; returns the target paths written. Every source entry a rule takes must
   * land on an existing entry of the same shape, and every rule must take at least one entry,
   * so a mismatched architecture fails loudly instead of copying half a layer.
   */
  public List<String> copyFrom(ParameterSnapshot source, LayerMapping mapping) {
    List<String> written = new ArrayList<>();
    boolean[] used = new boolean[mapping.rules().size()];
    for (Map.Entry<String, ParameterSnapshot.Entry> e : source.entries().entrySet()) {
      String target = null;
      for (int r = 0; r < used.length && target == null; r++) {
        target = mapping.rules().get(r).apply(e.getKey());
        if (target != null) used[r] = true;
      }
      if (target == null) continue;
      if (!contains(target)) {
        throw new IllegalArgumentException("cannot copy " + e.getKey() + " to " + target + ": the target model has no such entry; it has "
            + entries().keySet());
      }
      Tensor t = get(target).value();
      if (!java.util.Arrays.equals(t.shape(), e.getValue().shape())) {
        throw new IllegalArgumentException("cannot copy " + e.getKey() + " " + Tensor.shapeString(e.getValue().shape()) + " to " + target
            + " " + Tensor.shapeString(t.shape()) + ": shapes differ");
      }
      var be = t.backend();
      try (var scope = be.openScope()) {
        be.copyInto(t, be.fromDoubles(t.dtype(), e.getValue().values(), t.shape()));
      }
      written.add(target);
    }
    for (int r = 0; r < used.length; r++) {
      String to = mapping.rules().get(r).to();
      // a parameter-free layer (dropout, an activation) has nothing on either side
      boolean targetHasSome = to.isEmpty() ? !entries().isEmpty() : entries().keySet().stream().anyMatch(p -> p.startsWith(to + "."));
      if (!used[r] && targetHasSome) {
        throw new IllegalArgumentException("nothing to copy from " + mapping.rules().get(r).from() + ".**; the source has "
            + source.entries().keySet());
      }
    }
    return written;
  }

  @Override
  public void close() {
    for (Parameter p : byPath.values()) p.value().close();
    for (Parameter p : buffers.values()) p.value().close();
  }
}
