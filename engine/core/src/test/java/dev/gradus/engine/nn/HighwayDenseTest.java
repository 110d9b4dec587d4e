package dev.gradus.engine.nn;

import dev.gradus.engine.testkit.LayerGradientCheck;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HighwayDenseTest {
  private Backend be;

  @BeforeAll
  void open() {
    be = new ReferenceBackend();
  }

  @AfterAll
  void close() {
    be.close();
  }

  @Test
  void defaultsAreGlorotZeroBiasAndGateBiasOne() {
    HighwayDense h = new HighwayDense(4, Activation.TANH);
    assertEquals(List.of("weight", "bias", "gateWeight", "gateBias"), h.parameters().stream().map(ParameterDecl::name).toList());
    var params = new Model(4, List.of(h)).initialize(be, DType.FLOAT64, new RandomStream("init", 1));
    assertArrayEquals(new double[] {1, 1, 1, 1}, params.get("layers.0.gateBias").value().toDoubles());
    assertArrayEquals(new double[] {0, 0, 0, 0}, params.get("layers.0.bias").value().toDoubles());
    assertArrayEquals(new long[] {4, 4}, params.get("layers.0.gateWeight").value().shape());
    params.close();
  }

  @Test
  void aSaturatedCarryGateReturnsTheInput() {
    HighwayDense h = new HighwayDense(5, Activation.RELU, new GlorotUniform(), new GlorotUniform(), new Constant(30));
    double[] x = LayerGradientCheck.uniform(1, 15, -1, 1);
    try (MemoryScope s = be.openScope()) {
      Tape tape = Tape.inference(be);
      Map<String, Var> p = Map.of(
          "weight", tape.constant(be.fromDoubles(LayerGradientCheck.uniform(2, 25, -1, 1), 5, 5), "w"),
          "bias", tape.constant(be.fromDoubles(LayerGradientCheck.uniform(3, 5, -1, 1), 5), "b"),
          "gateWeight", tape.constant(be.fromDoubles(LayerGradientCheck.uniform(4, 25, -0.1, 0.1), 5, 5), "wc"),
          "gateBias", tape.constant(be.full(DType.FLOAT64, 30, 5), "bc"));
      double[] y = h.forward(tape.constant(be.fromDoubles(x, 3, 5), "x"), p::get).value().toDoubles();
      // 1 − σ(≥ 29.5) < 2e-13
      assertArrayEquals(x, y, 1e-11);
    }
  }

  @Test
  void gradientWithRespectToInputAndEveryParameter() {
    for (Activation a : List.of(Activation.TANH, Activation.SOFTPLUS)) {
      GradientCheck.Result r = LayerGradientCheck.checkLayer(be, LayerGradientCheck.training(be, 1), new HighwayDense(4, a), 3, 50);
      System.out.println("gradient check highway+" + a.id() + ": max error " + r.maxError() + " at " + r.where());
      assertTrue(r.maxError() < 1e-6, r.maxError() + " at " + r.where());
    }
  }
}
