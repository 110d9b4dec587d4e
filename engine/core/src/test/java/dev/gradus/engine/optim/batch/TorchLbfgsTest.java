package dev.gradus.engine.optim.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.curvature.BatchObjective;
import dev.gradus.engine.curvature.ParameterVectors;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import dev.gradus.engine.train.Loss;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Gradus' {@link Lbfgs} against {@code torch.optim.LBFGS} (torch 1.13) on the multinomial
 * logistic regression of {@code reference/torch/lbfgs_logistic.txt} (made by
 * {@code lbfgs_logistic.py}): for every configuration, after each {@code step} the loss the step
 * started from, the cumulative number of function evaluations (exactly) and every parameter
 * agree within {@code |a − b| ≤ TOLERANCE · max(1, |b|)}.
 */
class TorchLbfgsTest {
  static final Path FILE = Path.of("../../reference/torch/lbfgs_logistic.txt");
  static final double TOLERANCE = 1e-9;

  record Step(int k, double loss, int funcEvals, double[] params) {}

  record Config(String name, Map<String, String> args, List<Step> steps) {
    Lbfgs build() {
      String ls = args.get("line_search_fn");
      return new Lbfgs(Double.parseDouble(args.get("lr")), Integer.parseInt(args.get("max_iter")), Integer.parseInt(args.get("max_eval")),
          Double.parseDouble(args.get("tolerance_grad")), Double.parseDouble(args.get("tolerance_change")),
          Integer.parseInt(args.get("history_size")), "none".equals(ls) ? null : LineSearch.strongWolfe());
    }
  }

  static final class Fixture {
    String torch;
    double[] x;
    int rows;
    int cols;
    int[] y;
    final Map<String, long[]> shapes = new LinkedHashMap<>();
    final Map<String, double[]> initial = new LinkedHashMap<>();
    final Map<String, Config> configs = new LinkedHashMap<>();
  }

  static Fixture load() throws IOException {
    Fixture fx = new Fixture();
    for (String line : Files.readAllLines(FILE)) {
      if (line.isBlank() || line.startsWith("#")) continue;
      String[] f = line.split(" ");
      switch (f[0]) {
        case "format" -> assertEquals("gradus-lbfgs-logistic 1", f[1] + " " + f[2]);
        case "torch" -> fx.torch = f[1];
        case "x" -> {
          fx.rows = Integer.parseInt(f[1]);
          fx.cols = Integer.parseInt(f[2]);
          fx.x = doubles(f, 3);
        }
        case "y" -> {
          fx.y = new int[Integer.parseInt(f[1])];
          for (int i = 0; i < fx.y.length; i++) fx.y[i] = Integer.parseInt(f[2 + i]);
        }
        case "param" -> {
          int rank = Integer.parseInt(f[2]);
          long[] shape = new long[rank];
          for (int i = 0; i < rank; i++) shape[i] = Long.parseLong(f[3 + i]);
          fx.shapes.put(f[1], shape);
          fx.initial.put(f[1], doubles(f, 3 + rank));
        }
        case "config" -> {
          Map<String, String> args = new LinkedHashMap<>();
          for (int i = 2; i < f.length; i++) {
            String[] kv = f[i].split("=", 2);
            args.put(kv[0], kv[1]);
          }
          fx.configs.put(f[1], new Config(f[1], args, new ArrayList<>()));
        }
        case "step" -> fx.configs.get(f[1]).steps().add(
            new Step(Integer.parseInt(f[2]), Double.parseDouble(f[3]), Integer.parseInt(f[4]), doubles(f, 5)));
        default -> throw new IllegalStateException("unknown record " + f[0]);
      }
    }
    return fx;
  }

  private static double[] doubles(String[] f, int from) {
    double[] out = new double[f.length - from];
    for (int i = 0; i < out.length; i++) out[i] = Double.parseDouble(f[from + i]);
    return out;
  }

  @Test
  void fixtureIsComplete() throws IOException {
    Fixture fx = load();
    assertTrue(fx.torch.startsWith("1.13"), fx.torch);
    assertEquals(List.of("strong_wolfe_iter1", "strong_wolfe_iter20", "strong_wolfe_hist3", "fixed_step_iter1"), List.copyOf(fx.configs.keySet()));
    for (Config c : fx.configs.values()) assertEquals(Integer.parseInt(c.args().get("steps")), c.steps().size(), c.name());
  }

  @TestFactory
  List<DynamicTest> matchesTorch() throws IOException {
    Fixture fx = load();
    List<DynamicTest> tests = new ArrayList<>();
    for (Config c : fx.configs.values()) tests.add(DynamicTest.dynamicTest(c.name(), () -> check(fx, c)));
    return tests;
  }

  private static void check(Fixture fx, Config c) {
    ReferenceBackend be = new ReferenceBackend();
    Model model = Model.builder(fx.cols).dense(3).build();
    BatchObjective objective = BatchObjective.of(be, model, Loss.SOFTMAX_CROSS_ENTROPY, DType.FLOAT64, fx.x, fx.y);
    Lbfgs lbfgs = c.build();
    double worst = 0;
    String where = "";
    try (ParameterSet params = new ParameterSet()) {
      fx.initial.forEach((path, v) -> params.add(new Parameter(path, be.detach(be.fromDoubles(DType.FLOAT64, v, fx.shapes.get(path))), true)));
      assertEquals(List.of("layers.0.weight", "layers.0.bias"), params.paths());
      BatchState state = lbfgs.init(params);
      Objective obj = Objective.of(objective);
      for (Step expected : c.steps()) {
        BatchMethod.Result r = lbfgs.step(obj, params, state);
        state = r.state();
        assertEquals((double) expected.funcEvals(), state.scalar("func_evals", -1), c.name() + " func_evals after step " + expected.k());
        double e = error(r.lossBefore(), expected.loss());
        if (e > worst) {
          worst = e;
          where = "loss before step " + expected.k();
        }
        double[] actual = ParameterVectors.flatten(ParameterVectors.values(params));
        assertEquals(expected.params().length, actual.length);
        for (int i = 0; i < actual.length; i++) {
          double ei = error(actual[i], expected.params()[i]);
          if (ei > worst || Double.isNaN(ei)) {
            worst = ei;
            where = "parameter " + i + " after step " + expected.k() + ": " + actual[i] + " vs torch " + expected.params()[i];
          }
        }
        assertTrue(worst <= TOLERANCE, c.name() + ": " + where + " error " + worst);
      }
    }
    System.out.printf(Locale.ROOT, "torch LBFGS agreement %-22s worst relative error %.2e (%s)%n", c.name(), worst, where);
  }

  static double error(double a, double b) {
    return Math.abs(a - b) / Math.max(1.0, Math.abs(b));
  }
}
