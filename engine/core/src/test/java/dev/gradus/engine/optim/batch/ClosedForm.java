package dev.gradus.engine.optim.batch;

import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * A test objective in closed form over scalar parameters {@code names[i]} (each shaped [1]):
 * value, gradient and Hessian as functions of all coordinates. Honors frozen parameters
 * (vectors cover the trainable ones only), so block views work.
 */
final class ClosedForm implements Objective {
  final List<String> names;
  final ToDoubleFunction<double[]> f;
  final Function<double[], double[]> grad;
  final Function<double[], double[][]> hess;

  ClosedForm(List<String> names, ToDoubleFunction<double[]> f, Function<double[], double[]> grad, Function<double[], double[][]> hess) {
    this.names = names;
    this.f = f;
    this.grad = grad;
    this.hess = hess;
  }

  ParameterSet parameters(Backend be, double... start) {
    ParameterSet set = new ParameterSet();
    for (int i = 0; i < names.size(); i++) {
      set.add(new Parameter(names.get(i), be.detach(be.fromDoubles(DType.FLOAT64, new double[] {start[i]}, 1)), true));
    }
    return set;
  }

  double[] point(ParameterSet params) {
    double[] x = new double[names.size()];
    for (int i = 0; i < x.length; i++) x[i] = params.get(names.get(i)).value().toDoubles()[0];
    return x;
  }

  @Override
  public double value(ParameterSet params) {
    return f.applyAsDouble(point(params));
  }

  @Override
  public Map<String, Tensor> gradient(ParameterSet params) {
    double[] g = grad.apply(point(params));
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Parameter p : params.trainable()) out.put(p.path(), scalar(p, g[names.indexOf(p.path())]));
    return out;
  }

  @Override
  public Map<String, Tensor> hessianVector(ParameterSet params, Map<String, Tensor> v) {
    double[][] h = hess.apply(point(params));
    double[] full = new double[names.size()];
    v.forEach((k, t) -> full[names.indexOf(k)] = t.toDoubles()[0]);
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Parameter p : params.trainable()) {
      int i = names.indexOf(p.path());
      double s = 0;
      for (int j = 0; j < full.length; j++) s += h[i][j] * full[j];
      out.put(p.path(), scalar(p, s));
    }
    return out;
  }

  private static Tensor scalar(Parameter p, double v) {
    return p.value().backend().fromDoubles(DType.FLOAT64, new double[] {v}, 1);
  }

  /** The book's f(x) = (x₁ − x₂)² + α(x₁² + x₂²) (Goodfellow et al. 8.7.1). */
  static ClosedForm coupled(double alpha) {
    return new ClosedForm(List.of("x1", "x2"),
        x -> (x[0] - x[1]) * (x[0] - x[1]) + alpha * (x[0] * x[0] + x[1] * x[1]),
        x -> new double[] {2 * (x[0] - x[1]) + 2 * alpha * x[0], -2 * (x[0] - x[1]) + 2 * alpha * x[1]},
        x -> new double[][] {{2 + 2 * alpha, -2}, {-2, 2 + 2 * alpha}});
  }

  /** f(x, y) = x² − y² + y⁴/4: a saddle at the origin, minima at (0, ±√2) with f = −1. */
  static ClosedForm saddle() {
    return new ClosedForm(List.of("x", "y"),
        v -> v[0] * v[0] - v[1] * v[1] + Math.pow(v[1], 4) / 4,
        v -> new double[] {2 * v[0], -2 * v[1] + Math.pow(v[1], 3)},
        v -> new double[][] {{2, 0}, {0, -2 + 3 * v[1] * v[1]}});
  }
}
