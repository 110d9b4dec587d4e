package dev.gradus.engine.nn;

import dev.gradus.engine.testkit.LayerGradientCheck;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import dev.gradus.engine.testkit.GradientCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ElmanRnnTest {
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
  void validatesThatTheRowSplitsIntoSteps() {
    var e = assertThrows(IllegalArgumentException.class, () -> new ElmanRnn(784, 30, 16));
    assertTrue(e.getMessage().contains("784") && e.getMessage().contains("30"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ElmanRnn(784, 28, 0));
    ElmanRnn r = new ElmanRnn(784, 28, 16);
    assertEquals(28, r.steps());
    assertEquals(16, r.outputSize());
    assertEquals(List.of("inputWeight", "recurrentWeight", "bias"), r.parameters().stream().map(ParameterDecl::name).toList());
    assertArrayEquals(new long[] {16, 28}, r.parameters().get(0).shape());
    assertArrayEquals(new long[] {16, 16}, r.parameters().get(1).shape());
  }

  @Test
  void outputShapeAndPublishedHiddenStatesWithGradients() {
    int steps = 7;
    ElmanRnn r = new ElmanRnn(steps * 4, 4, 6);
    Model m = new Model(steps * 4, List.of(r, new Dense(6, 3, true, new dev.gradus.engine.init.GlorotUniform(),
        dev.gradus.engine.init.Constant.ZEROS)));
    var params = m.initialize(be, DType.FLOAT64, new RandomStream("init", 5));
    try (MemoryScope s = be.openScope()) {
      Tape tape = Tape.training(be);
      Var y = m.forward(tape, params, tape.constant(be.fromDoubles(LayerGradientCheck.uniform(1, 5 * steps * 4, -1, 1), 5, steps * 4), "x"));
      assertArrayEquals(new long[] {5, 3}, y.shape());
      Var loss = Ops.softmaxCrossEntropy(y, be.fromInts(new int[] {0, 1, 2, 1, 0}));
      tape.backward(loss);
      Map<String, Var> published = new java.util.LinkedHashMap<>(tape.published());
      published.remove(LayerContext.MODEL_INPUT);
      List<String> expected = new ArrayList<>();
      for (int t = 1; t <= steps; t++) expected.add("layers.0.hidden." + t);
      assertEquals(expected, List.copyOf(published.keySet()));
      for (Var h : published.values()) {
        assertArrayEquals(new long[] {5, 6}, h.shape());
        assertNotNull(h.grad(), h + " has no gradient");
        assertTrue(be.item(be.sumOfSquares(h.grad())) > 0);
      }
    }
    params.close();
  }

  @Test
  void gradientThroughTimeWithRespectToInputAndEveryParameter() {
    GradientCheck.Result r = LayerGradientCheck.checkLayer(be, LayerGradientCheck.training(be, 1), new ElmanRnn(12, 3, 4), 2, 60);
    System.out.println("gradient check elman-rnn (T=4): max error " + r.maxError() + " at " + r.where());
    assertTrue(r.maxError() < 1e-6, r.maxError() + " at " + r.where());
  }

  @Test
  void rejectsInputOfTheWrongWidth() {
    try (MemoryScope s = be.openScope()) {
      Tape tape = Tape.inference(be);
      Var x = tape.constant(be.fromDoubles(new double[10], 2, 5), "x");
      var e = assertThrows(IllegalArgumentException.class, () -> new ElmanRnn(12, 3, 4).forward(x, name -> null));
      assertTrue(e.getMessage().contains("[batch, 12]"), e.getMessage());
    }
  }
}
