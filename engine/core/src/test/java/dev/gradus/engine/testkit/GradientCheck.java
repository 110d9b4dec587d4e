package dev.gradus.engine.testkit;

import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Compares reverse-mode gradients with central finite differences in float64:
 * {@code ∂L/∂x_i ≈ (L(x + h e_i) − L(x − h e_i)) / 2h}, error O(h²).
 */
public final class GradientCheck {
  private GradientCheck() {}

  /** One input: values, shape. */
  public record Input(double[] values, long... shape) {}

  /** Worst disagreement found: |analytic − numeric| / max(1, |numeric|). */
  public record Result(double maxError, String where) {}

  /**
   * Evaluates {@code f} (which must return a scalar Var) at the inputs and checks every
   * coordinate of every input.
   */
  public static Result check(Backend be, Function<List<Var>, Var> f, double h, Input... inputs) {
    return check(be, () -> Tape.training(be), () -> Tape.inference(be), f, h, inputs);
  }

  /**
   * As {@link #check(Backend, Function, double, Input...)} with the analytic pass on a tape from
   * {@code analyticTapes} and every numeric evaluation on one from {@code numericTapes}: layers
   * whose output depends on the mode (batch normalization, dropout with a fixed stream) need both
   * passes in the same mode.
   */
  public static Result check(Backend be, java.util.function.Supplier<Tape> analyticTapes, java.util.function.Supplier<Tape> numericTapes,
      Function<List<Var>, Var> f, double h, Input... inputs) {
    double[][] analytic = new double[inputs.length][];
    try (MemoryScope s = be.openScope()) {
      Tape tape = analyticTapes.get();
      List<Var> vars = new ArrayList<>();
      for (int i = 0; i < inputs.length; i++) vars.add(tape.leaf(be.fromDoubles(inputs[i].values(), inputs[i].shape()), "x" + i));
      Var loss = f.apply(vars);
      tape.backward(loss);
      for (int i = 0; i < inputs.length; i++) {
        Tensor g = vars.get(i).grad();
        analytic[i] = g == null ? new double[inputs[i].values().length] : g.toDoubles();
      }
    }
    double worst = 0;
    String where = "";
    for (int i = 0; i < inputs.length; i++) {
      double[] x = inputs[i].values();
      for (int k = 0; k < x.length; k++) {
        double orig = x[k];
        x[k] = orig + h;
        double plus = evaluate(be, numericTapes, f, inputs);
        x[k] = orig - h;
        double minus = evaluate(be, numericTapes, f, inputs);
        x[k] = orig;
        double numeric = (plus - minus) / (2 * h);
        double err = Math.abs(analytic[i][k] - numeric) / Math.max(1.0, Math.abs(numeric));
        if (!(err <= worst)) {
          worst = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err;
          where = "input " + i + "[" + k + "]: analytic " + analytic[i][k] + " vs numeric " + numeric;
        }
      }
    }
    return new Result(worst, where);
  }

  private static double evaluate(Backend be, java.util.function.Supplier<Tape> tapes, Function<List<Var>, Var> f, Input... inputs) {
    try (MemoryScope s = be.openScope()) {
      Tape tape = tapes.get();
      List<Var> vars = new ArrayList<>();
      for (int i = 0; i < inputs.length; i++) vars.add(tape.constant(be.fromDoubles(inputs[i].values(), inputs[i].shape()), "x" + i));
      return f.apply(vars).value().item();
    }
  }
}
