package dev.gradus.engine.nn;

import dev.gradus.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A model's parameters by path, in declaration order; kept apart from the model's structure. */
public final class ParameterSet implements AutoCloseable {
  private final Map<String, Parameter> byPath = new LinkedHashMap<>();

  public void add(Parameter p) {
    if (byPath.putIfAbsent(p.path(), p) != null) throw new IllegalArgumentException("duplicate parameter path " + p.path());
  }

  public Parameter get(String path) {
    Parameter p = byPath.get(path);
    if (p == null) throw new IllegalArgumentException("no parameter '" + path + "'; paths: " + byPath.keySet());
    return p;
  }

  public boolean contains(String path) {
    return byPath.containsKey(path);
  }

  public Collection<Parameter> all() {
    return Collections.unmodifiableCollection(byPath.values());
  }

  public List<Parameter> trainable() {
    List<Parameter> out = new ArrayList<>();
    for (Parameter p : byPath.values()) if (p.trainable()) out.add(p);
    return out;
  }

  public List<String> paths() {
    return new ArrayList<>(byPath.keySet());
  }

  public long count() {
    long n = 0;
    for (Parameter p : byPath.values()) n += p.value().size();
    return n;
  }

  /** A copy of every value as doubles, by path: for comparisons, records and tests. */
  public Map<String, double[]> snapshot() {
    Map<String, double[]> out = new LinkedHashMap<>();
    for (Parameter p : byPath.values()) out.put(p.path(), p.value().toDoubles());
    return out;
  }

  @Override
  public void close() {
    for (Parameter p : byPath.values()) {
      Tensor t = p.value();
      t.close();
    }
  }
}
