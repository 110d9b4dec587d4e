package dev.gradus.engine.nn;

import dev.gradus.engine.testkit.LayerGradientCheck;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.init.Constant;
import dev.gradus.engine.init.GlorotUniform;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import dev.gradus.engine.testkit.GradientCheck;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResidualTest {
  private Backend be;

  @BeforeAll
  void open() {
    be = new ReferenceBackend();
  }

  @AfterAll
  void close() {
    be.close();
  }

  private static Dense dense(int in, int out, Activation a) {
    return new Dense(in, out, true, new GlorotUniform(), Constant.ZEROS, a);
  }

  @Test
  void identitySkipNeedsMatchingSizes() {
    var e = assertThrows(IllegalArgumentException.class, () -> new Residual(List.of(dense(4, 3, Activation.TANH))));
    assertTrue(e.getMessage().contains("projection") && e.getMessage().contains("4") && e.getMessage().contains("3"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new Residual(List.of(dense(4, 3, Activation.TANH)), dense(4, 5, Activation.IDENTITY), Activation.IDENTITY));
    assertTrue(e.getMessage().contains("projection maps 4 to 5"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new Residual(List.of(dense(4, 3, Activation.TANH), dense(2, 4, Activation.IDENTITY))));
    assertTrue(e.getMessage().contains("body.1"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Residual(List.of()));
    Residual ok = new Residual(List.of(dense(4, 3, Activation.TANH)), dense(4, 3, Activation.IDENTITY), Activation.RELU);
    assertEquals(4, ok.inputSize());
    assertEquals(3, ok.outputSize());
    assertEquals("residual+relu", ok.kind());
  }

  @Test
  void parametersArePrefixedAndFoundThroughTheModel() {
    Residual r = new Residual(List.of(dense(4, 5, Activation.TANH), dense(5, 3, Activation.IDENTITY)), dense(4, 3, Activation.IDENTITY),
        Activation.IDENTITY);
    assertEquals(List.of("body.0.weight", "body.0.bias", "body.1.weight", "body.1.bias", "projection.weight", "projection.bias"),
        r.parameters().stream().map(ParameterDecl::name).toList());
    Model m = new Model(4, List.of(r));
    var params = m.initialize(be, DType.FLOAT64, new RandomStream("init", 3));
    assertTrue(params.contains("layers.0.body.1.weight"));
    assertTrue(params.contains("layers.0.projection.bias"));
    try (MemoryScope s = be.openScope()) {
      Tape tape = Tape.training(be);
      Var y = m.forward(tape, params, tape.constant(be.fromDoubles(LayerGradientCheck.uniform(1, 8, -1, 1), 2, 4), "x"));
      assertArrayEquals(new long[] {2, 3}, y.shape());
    }
    params.close();
  }

  @Test
  void identitySkipAddsTheInput() {
    Dense body = dense(3, 3, Activation.TANH);
    Residual r = new Residual(List.of(body));
    double[] x = LayerGradientCheck.uniform(2, 6, -1, 1);
    double[] w = LayerGradientCheck.uniform(3, 9, -1, 1);
    double[] b = LayerGradientCheck.uniform(4, 3, -1, 1);
    try (MemoryScope s = be.openScope()) {
      Tape tape = Tape.inference(be);
      Var in = tape.constant(be.fromDoubles(x, 2, 3), "x");
      Var wv = tape.constant(be.fromDoubles(w, 3, 3), "w");
      Var bv = tape.constant(be.fromDoubles(b, 3), "b");
      double[] y = r.forward(in, name -> name.equals("body.0.weight") ? wv : name.equals("body.0.bias") ? bv : null).value().toDoubles();
      double[] f = body.forward(in, name -> name.equals("weight") ? wv : bv).value().toDoubles();
      for (int k = 0; k < 6; k++) assertEquals(f[k] + x[k], y[k], 1e-15);
    }
  }

  @Test
  void gradientsWithIdentityAndProjectionSkips() {
    Residual identity = new Residual(List.of(dense(4, 6, Activation.TANH), dense(6, 4, Activation.IDENTITY)), null, Activation.SOFTPLUS);
    Residual projected = new Residual(List.of(dense(4, 5, Activation.TANH), new BatchNorm(5)), dense(4, 5, Activation.IDENTITY),
        Activation.TANH);
    for (Residual r : List.of(identity, projected)) {
      GradientCheck.Result g = LayerGradientCheck.checkLayer(be, LayerGradientCheck.training(be, 1), r, 3, 40);
      System.out.println("gradient check " + r.kind() + (r.projection() == null ? " (identity)" : " (projection)") + ": max error "
          + g.maxError() + " at " + g.where());
      assertTrue(g.maxError() < 1e-6, g.maxError() + " at " + g.where());
    }
  }

  @Test
  void childrenPublishAndStageUnderTheirPrefix() {
    Residual r = new Residual(List.of(new BatchNorm(3)));
    Model m = new Model(3, List.of(r));
    var params = m.initialize(be, DType.FLOAT64, new RandomStream("init", 3));
    try (MemoryScope s = be.openScope()) {
      Tape tape = Tape.training(be);
      m.forward(tape, params, tape.constant(be.fromDoubles(LayerGradientCheck.uniform(1, 6, -1, 1), 2, 3), "x"));
      assertEquals(List.of("layers.0.body.0.runningMean", "layers.0.body.0.runningVar"), List.copyOf(tape.bufferUpdates().keySet()));
      for (String path : tape.bufferUpdates().keySet()) assertTrue(params.contains(path), path);
    }
    params.close();
  }
}
