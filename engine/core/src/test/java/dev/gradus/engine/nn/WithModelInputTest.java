package dev.gradus.engine.nn;

import dev.gradus.engine.testkit.LayerGradientCheck;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.init.Constant;
import dev.gradus.engine.init.GlorotUniform;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import dev.gradus.engine.testkit.GradientCheck;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WithModelInputTest {
  private final Backend be = new ReferenceBackend();
  private final WithModelInput layer = new WithModelInput(new Dense(3 + 4, 2, true, new GlorotUniform(), Constant.ZEROS, Activation.TANH), 4);

  @Test
  void gradientsReachThePreviousOutputTheModelInputAndTheWeights() {
    GradientCheck.Result r = LayerGradientCheck.check(be, () -> Tape.training(be), v -> {
      Tape tape = v.get(0).tape();
      tape.publish(LayerContext.MODEL_INPUT, v.get(1));
      Map<String, Var> bound = Map.of("weight", v.get(2), "bias", v.get(3));
      return LayerGradientCheck.weightedSum(layer.forward(v.get(0), new LayerContext(tape, "layers.1", bound::get)));
    },
        new GradientCheck.Input(LayerGradientCheck.uniform(1, 6, -1, 1), 2, 3),
        new GradientCheck.Input(LayerGradientCheck.uniform(2, 8, -1, 1), 2, 4),
        new GradientCheck.Input(LayerGradientCheck.uniform(3, 14, -1, 1), 2, 7),
        new GradientCheck.Input(LayerGradientCheck.uniform(4, 2, -1, 1), 2));
    assertTrue(r.maxError() < 1e-6, r.toString());
  }

  @Test
  void sizesAndParameterNamesAreTheInnerLayers() {
    assertEquals(3, layer.inputSize());
    assertEquals(2, layer.outputSize());
    assertEquals("weight", layer.parameters().get(0).name());
    assertEquals("dense+tanh+input", layer.kind());
    Model m = new Model(4, java.util.List.of(new Dense(4, 3, true, new GlorotUniform(), Constant.ZEROS, Activation.TANH), layer));
    assertEquals(2, m.outputSize());
    assertThrows(IllegalArgumentException.class, () -> new WithModelInput(new Dense(4, 2, true, new GlorotUniform(), Constant.ZEROS), 4));
  }

  @Test
  void outsideAModelThereIsNoInputToRead() {
    Tape tape = Tape.inference(be);
    Var h = tape.constant(be.fromDoubles(new double[6], 2, 3), "h");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> layer.forward(h, new LayerContext(tape, "layers.1", n -> tape.constant(be.zeros(dev.gradus.engine.tensor.DType.FLOAT64, 2, 7), n))));
    assertTrue(e.getMessage().contains("outside a model"), e.getMessage());
  }
}
