package dev.gradus.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.init.Constant;
import dev.gradus.engine.nn.Dense;
import dev.gradus.engine.nn.Layer;
import dev.gradus.engine.nn.LayerContext;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.ParameterDecl;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.optim.ClipByGlobalNorm;
import dev.gradus.engine.optim.GradientTransform;
import dev.gradus.engine.optim.Optimizers;
import dev.gradus.engine.random.RandomStreams;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.Tensor;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The raw-gradient norm a training step reports ({@code gradient.norm} per epoch), against a
 * closed form: a zero-initialized linear softmax classifier on C classes has output gradient
 * p − e_y = 1/C − δ for every example, so for a batch of copies of one input x
 * ‖∇W‖² + ‖∇b‖² = ‖p − e_y‖² (‖x‖² + 1) = (C − 1)/C · (‖x‖² + 1).
 */
class GradientNormTest {
  private final Backend be = new ReferenceBackend();
  private static final int CLASSES = 3;

  private static double closedForm(double[] x) {
    double xx = 0;
    for (double v : x) xx += v * v;
    return Math.sqrt((CLASSES - 1.0) / CLASSES * (xx + 1));
  }

  private double stepNorm(DType dtype, double[] x, boolean checks) {
    Model model = new Model(x.length, List.of(new Dense(x.length, CLASSES, true, Constant.ZEROS, Constant.ZEROS)));
    GradientTransform sgd = Optimizers.sgd(0.1);
    try (ParameterSet p = model.initialize(be, dtype, new RandomStreams(1).stream(RandomStreams.INIT));
        MemoryScope s = be.openScope()) {
      double[] rows = new double[2 * x.length];
      System.arraycopy(x, 0, rows, 0, x.length);
      System.arraycopy(x, 0, rows, x.length, x.length);
      Tensor xs = be.fromDoubles(dtype, rows, 2, x.length);
      Tensor ys = be.fromLongs(new long[] {2, 2}, 2);
      return new TrainingStep(be, model, sgd, "test", checks).run(p, sgd.init(p), xs, ys, 1, 1).gradientNorm();
    }
  }

  @Test
  void theReportedNormIsTheClosedFormWithAndWithoutChecks() {
    double[] x = {0.5, -1.5, 2.0, 0.25};
    for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
      double tolerance = dtype == DType.FLOAT64 ? 1e-12 : 1e-6;
      assertEquals(closedForm(x), stepNorm(dtype, x, true), tolerance * closedForm(x), dtype + ", checks on");
      assertEquals(closedForm(x), stepNorm(dtype, x, false), tolerance * closedForm(x), dtype + ", checks off");
    }
  }

  @Test
  void finiteFloat32GradientsWhoseSquaresOverflowStillGiveTheNorm() {
    // gradient entries about 1e20 are finite in float32, their squares (1e40) are not
    double[] x = {1e20, -2e20, 1.5e20, 3e19};
    for (boolean checks : new boolean[] {true, false}) {
      double norm = stepNorm(DType.FLOAT32, x, checks);
      assertTrue(Double.isFinite(norm), "checks " + checks + ": " + norm);
      assertEquals(closedForm(x), norm, 1e-6 * closedForm(x), "checks " + checks);
    }
    try (MemoryScope s = be.openScope()) {
      Tensor g = be.fromDoubles(DType.FLOAT32, new double[] {3e20, 4e20}, 2);
      assertEquals(5e20, ClipByGlobalNorm.globalNorm(Map.of("g", g)), 1e14);
    }
  }

  /** Multiplies its input by √gate with the gate at 0: a finite output whose gate gradient is 0/0 = NaN. */
  private static final class SqrtGate implements Layer {
    private final int size;

    SqrtGate(int size) {
      this.size = size;
    }

    @Override
    public String kind() {
      return "sqrt-gate";
    }

    @Override
    public int inputSize() {
      return size;
    }

    @Override
    public int outputSize() {
      return size;
    }

    @Override
    public List<ParameterDecl> parameters() {
      return List.of(new ParameterDecl("gate", new long[] {1, size}, Constant.ZEROS, size, size));
    }

    @Override
    public Var forward(Var input, LayerContext context) {
      return Ops.mul(input, Ops.sqrt(context.param("gate")));
    }
  }

  @Test
  void aNonFiniteGradientUnderAFiniteLossStopsTheRunNamingTheParameter() {
    Model model = new Model(4, List.of(new SqrtGate(4), new Dense(4, CLASSES, true, Constant.ZEROS, Constant.ZEROS)));
    GradientTransform sgd = Optimizers.sgd(0.1);
    try (ParameterSet p = model.initialize(be, DType.FLOAT64, new RandomStreams(1).stream(RandomStreams.INIT));
        MemoryScope s = be.openScope()) {
      Tensor xs = be.fromDoubles(DType.FLOAT64, new double[] {1, 2, 3, 4}, 1, 4);
      Tensor ys = be.fromLongs(new long[] {0}, 1);
      TrainingStep step = new TrainingStep(be, model, sgd, "test", true);
      NonFiniteValueException e = assertThrows(NonFiniteValueException.class, () -> step.run(p, sgd.init(p), xs, ys, 1, 7));
      assertEquals("gradient", e.quantity());
      assertEquals("layers.0.gate", e.location());
      assertEquals(7, e.step());
    }
  }
}
