package dev.gradus.engine.optim.batch;

import dev.gradus.engine.curvature.ParameterVectors;
import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * An {@link Objective} on the trainable parameters of {@code params} seen as one flat double
 * vector (in {@link ParameterVectors#flatten} order), with evaluation counts. Evaluating at a
 * point writes it into the parameters in place (rounded to their type); callers put the final
 * point back with {@link #set}. Every call runs in its own memory scope, so only double arrays
 * leave it.
 */
public final class FlatProblem {
  private final Objective objective;
  private final ParameterSet params;
  private final Backend backend;
  private final Map<String, Tensor> like;
  private final int size;
  private int values;
  private int gradients;
  private int curvature;

  public FlatProblem(Objective objective, ParameterSet params) {
    this.objective = objective;
    this.params = params;
    List<Parameter> trainable = params.trainable();
    if (trainable.isEmpty()) throw new IllegalArgumentException("no trainable parameters to optimize");
    this.backend = trainable.get(0).value().backend();
    this.like = ParameterVectors.values(params);
    this.size = ParameterVectors.size(like);
  }

  /** A point with its value and gradient. */
  public record Point(double[] x, double f, double[] g) {}

  public int size() {
    return size;
  }

  public ParameterSet params() {
    return params;
  }

  public Objective objective() {
    return objective;
  }

  /** The parameters' current values, flat. */
  public double[] x() {
    return ParameterVectors.flatten(ParameterVectors.values(params));
  }

  /** Writes {@code x} into the trainable parameters, in place. */
  public void set(double[] x) {
    if (x.length != size) throw new IllegalArgumentException("expected " + size + " values, got " + x.length);
    try (MemoryScope s = backend.openScope()) {
      int at = 0;
      for (Parameter p : params.trainable()) {
        Tensor t = p.value();
        int n = Math.toIntExact(t.size());
        double[] part = new double[n];
        System.arraycopy(x, at, part, 0, n);
        at += n;
        backend.copyInto(t, backend.fromDoubles(t.dtype(), part, t.shape()));
      }
    }
  }

  /** J at x (the parameters are left at x). */
  public double value(double[] x) {
    set(x);
    values++;
    try (MemoryScope s = backend.openScope()) {
      return objective.value(params);
    }
  }

  /** J and ∇J at x (the parameters are left at x). */
  public Point evaluate(double[] x) {
    set(x);
    values++;
    gradients++;
    try (MemoryScope s = backend.openScope()) {
      Objective.ValueAndGradient vg = objective.valueAndGradient(params);
      return new Point(x.clone(), vg.value(), ParameterVectors.flatten(vg.gradient()));
    }
  }

  /** The kinds of curvature product. */
  public enum Curvature {
    HESSIAN, GAUSS_NEWTON, FISHER, EMPIRICAL_FISHER
  }

  /** {@code C v} at x for the curvature {@code kind} (the parameters are left at x). */
  public double[] product(Curvature kind, double[] x, double[] v) {
    set(x);
    curvature++;
    try (MemoryScope s = backend.openScope()) {
      Map<String, Tensor> vv = ParameterVectors.unflatten(v, like);
      Map<String, Tensor> r;
      switch (kind) {
        case HESSIAN -> r = objective.hessianVector(params, vv);
        case GAUSS_NEWTON -> r = objective.gaussNewtonVector(params, vv);
        case FISHER -> r = objective.fisherVector(params, vv);
        case EMPIRICAL_FISHER -> r = objective.empiricalFisherVector(params, vv);
        default -> throw new AssertionError(kind);
      }
      return ParameterVectors.flatten(r);
    }
  }

  /** The explicit, symmetrized matrix of {@code kind} at x from n products with unit vectors. */
  public double[][] matrix(Curvature kind, double[] x) {
    double[][] m = new double[size][size];
    for (int j = 0; j < size; j++) {
      double[] e = new double[size];
      e[j] = 1;
      double[] col = product(kind, x, e);
      for (int i = 0; i < size; i++) m[i][j] = col[i];
    }
    for (int i = 0; i < size; i++) {
      for (int j = 0; j < i; j++) {
        double a = 0.5 * (m[i][j] + m[j][i]);
        m[i][j] = a;
        m[j][i] = a;
      }
    }
    return m;
  }

  /** The evaluations made so far. */
  public Evaluations evaluations() {
    return new Evaluations(values, gradients, curvature);
  }
}
