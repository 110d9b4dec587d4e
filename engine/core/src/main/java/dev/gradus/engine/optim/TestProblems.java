package dev.gradus.engine.optim;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Small optimization test problems written with Gradus autodiff, one parameter tensor
 * {@code x} of shape {@code [1, n]}: the ill-conditioned quadratic and Rosenbrock's function.
 * For convergence tests and for the steps-to-tolerance tables of optimizer experiments (see
 * {@link StepsToTolerance}); any backend, any floating type.
 */
public final class TestProblems {
  private TestProblems() {}

  /** The path of the single parameter. */
  public static final String PATH = "x";

  /** A differentiable objective of one parameter {@code x[1, n]}, its start and its minimum. */
  public interface Objective {
    String name();

    /** n, the number of coordinates. */
    int size();

    /** The starting point. */
    double[] start();

    /** A minimizer and the minimum value. */
    double[] minimizer();

    double minimum();

    /** f(x) on x's tape. */
    Var value(Var x);

    /** The parameter set {@code {"x": start}} in {@code dtype}, outside any scope. */
    default ParameterSet parameters(Backend backend, DType dtype) {
      ParameterSet set = new ParameterSet();
      set.add(new Parameter(PATH, backend.detach(backend.fromDoubles(dtype, start(), 1, size())), true));
      return set;
    }

    /** f at the parameters' current x. */
    default double evaluate(ParameterSet params) {
      Tensor x = params.get(PATH).value();
      Tape tape = Tape.inference(x.backend());
      return value(tape.constant(x, PATH)).value().item();
    }

    /** f at {@code x} given as doubles (float64). */
    default double evaluate(Backend backend, double[] x) {
      Tape tape = Tape.inference(backend);
      return value(tape.constant(backend.fromDoubles(x, 1, x.length), PATH)).value().item();
    }

    /** The loss and the gradient by path at the parameters' current x. */
    default Evaluation evaluateWithGradient(ParameterSet params) {
      Tensor x = params.get(PATH).value();
      Tape tape = Tape.training(x.backend());
      Var leaf = tape.leaf(x, PATH);
      Var f = value(leaf);
      tape.backward(f);
      Map<String, Tensor> g = new LinkedHashMap<>();
      g.put(PATH, leaf.grad() != null ? leaf.grad() : x.backend().zeros(x.dtype(), x.shape()));
      return new Evaluation(f.value().item(), g);
    }
  }

  /** A loss value and gradients by path. */
  public record Evaluation(double loss, Map<String, Tensor> gradients) {}

  /**
   * {@code f(x) = ½ Σ a_i x_i²} ({@code ½xᵀAx} with {@code A = diag(a)}), from {@code start};
   * minimum 0 at the origin; condition number {@code max a / min a}.
   */
  public static Objective quadratic(double[] diagonal, double[] start) {
    if (diagonal.length != start.length) throw new IllegalArgumentException("diagonal and start differ in length");
    for (double a : diagonal) if (!(a > 0)) throw new IllegalArgumentException("the diagonal must be positive, got " + Arrays.toString(diagonal));
    double[] a = diagonal.clone();
    double[] x0 = start.clone();
    double kappa = Arrays.stream(a).max().getAsDouble() / Arrays.stream(a).min().getAsDouble();
    return new Objective() {
      @Override
      public String name() {
        return "quadratic(n=" + a.length + ", κ=" + kappa + ")";
      }

      @Override
      public int size() {
        return a.length;
      }

      @Override
      public double[] start() {
        return x0.clone();
      }

      @Override
      public double[] minimizer() {
        return new double[a.length];
      }

      @Override
      public double minimum() {
        return 0.0;
      }

      @Override
      public Var value(Var x) {
        Backend be = x.tape().backend();
        Var diag = x.tape().constant(be.fromDoubles(x.value().dtype(), a, 1, a.length), "A");
        return Ops.scale(Ops.sum(Ops.mul(diag, Ops.square(x))), 0.5);
      }
    };
  }

  /**
   * The ill-conditioned quadratic used in the optimizer tests: n coordinates with curvatures
   * spaced evenly from 1 to {@code condition} (condition number {@code condition}), from
   * {@code x_i = (−1)^i (1 + i/(n−1))}, i.e. (1, −1.11…, 1.22…, …, ±2): magnitudes differ so that
   * sign-like first steps of adaptive methods cannot land on the minimum by accident.
   */
  public static Objective illConditionedQuadratic(int n, double condition) {
    double[] a = new double[n];
    for (int i = 0; i < n; i++) a[i] = n == 1 ? 1.0 : 1.0 + (condition - 1.0) * i / (n - 1);
    double[] start = new double[n];
    for (int i = 0; i < n; i++) start[i] = (i % 2 == 0 ? 1.0 : -1.0) * (1.0 + (n == 1 ? 0.0 : (double) i / (n - 1)));
    return quadratic(a, start);
  }

  /** Rosenbrock's function in two dimensions from (−1.5, 2): minimum 0 at (1, 1). */
  public static Objective rosenbrock() {
    return rosenbrock(-1.5, 2.0);
  }

  /** {@code f(x, y) = (1 − x)² + 100 (y − x²)²} from {@code (x0, y0)}. */
  public static Objective rosenbrock(double x0, double y0) {
    return new Objective() {
      @Override
      public String name() {
        return "rosenbrock(" + x0 + ", " + y0 + ")";
      }

      @Override
      public int size() {
        return 2;
      }

      @Override
      public double[] start() {
        return new double[] {x0, y0};
      }

      @Override
      public double[] minimizer() {
        return new double[] {1.0, 1.0};
      }

      @Override
      public double minimum() {
        return 0.0;
      }

      @Override
      public Var value(Var xy) {
        Tape tape = xy.tape();
        Backend be = tape.backend();
        DType dt = xy.value().dtype();
        // select the coordinates with constant [2, 1] matrices: x = xy·e1, y = xy·e2
        Var e1 = tape.constant(be.fromDoubles(dt, new double[] {1, 0}, 2, 1), "e1");
        Var e2 = tape.constant(be.fromDoubles(dt, new double[] {0, 1}, 2, 1), "e2");
        Var x = Ops.matmul(xy, e1);
        Var y = Ops.matmul(xy, e2);
        Var a = Ops.addScalar(Ops.scale(x, -1.0), 1.0);
        Var b = Ops.sub(y, Ops.square(x));
        return Ops.sum(Ops.add(Ops.square(a), Ops.scale(Ops.square(b), 100.0)));
      }
    };
  }
}
