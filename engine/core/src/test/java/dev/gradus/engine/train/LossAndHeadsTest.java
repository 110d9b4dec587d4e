package dev.gradus.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.init.Constant;
import dev.gradus.engine.init.GlorotUniform;
import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.nn.AuxiliaryHead;
import dev.gradus.engine.nn.Dense;
import dev.gradus.engine.nn.Layer;
import dev.gradus.engine.nn.LayerContext;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.ParameterDecl;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.optim.Optimizers;
import dev.gradus.engine.random.RandomStreams;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.Tensor;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import dev.gradus.engine.testkit.GradientCheck;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The losses other than softmax cross-entropy, auxiliary heads in the objective, and buffer updates staged by layers. */
class LossAndHeadsTest {
  private final Backend be = new ReferenceBackend();

  @Test
  void sigmoidCrossEntropyMatchesItsClosedFormAndFiniteDifferences() {
    double[] z = {0.3, -1.2, 2.0, 0.0, -0.5, 4.0};
    long[] labels = {2, 0};
    try (MemoryScope s = be.openScope()) {
      Tape tape = Tape.training(be);
      Var out = tape.leaf(be.fromDoubles(z, 2, 3), "z");
      double loss = Loss.SIGMOID_CROSS_ENTROPY.apply(out, be.fromLongs(labels, 2)).value().item();
      // hand: per row Σ_k log(1 + e^{z_k}) − t_k z_k, averaged over the 2 rows
      double expected = 0;
      for (int r = 0; r < 2; r++) {
        for (int k = 0; k < 3; k++) {
          double v = z[r * 3 + k];
          expected += Math.log1p(Math.exp(v)) - (labels[r] == k ? v : 0);
        }
      }
      assertEquals(expected / 2, loss, 1e-12);
    }
    GradientCheck.Result r = GradientCheck.check(be,
        v -> Loss.SIGMOID_CROSS_ENTROPY.apply(v.get(0), be.fromLongs(labels, 2)), 1e-6, new GradientCheck.Input(z, 2, 3));
    assertTrue(r.maxError() < 1e-8, r.toString());
  }

  @Test
  void meanSquaredErrorRegressesOntoOneHotTargets() {
    double[] z = {0.3, -1.2, 2.0, 0.0, -0.5, 4.0};
    try (MemoryScope s = be.openScope()) {
      Tape tape = Tape.training(be);
      double loss = Loss.MEAN_SQUARED_ERROR.apply(tape.leaf(be.fromDoubles(z, 2, 3), "z"), be.fromLongs(new long[] {1, 2}, 2))
          .value().item();
      double expected = (0.09 + 2.2 * 2.2 + 4.0 + 0.0 + 0.25 + 9.0) / 6;
      assertEquals(expected, loss, 1e-12);
    }
    GradientCheck.Result r = GradientCheck.check(be,
        v -> Loss.MEAN_SQUARED_ERROR.apply(v.get(0), be.fromLongs(new long[] {1, 2}, 2)), 1e-6, new GradientCheck.Input(z, 2, 3));
    assertTrue(r.maxError() < 1e-8, r.toString());
  }

  @Test
  void lossesAreFoundByIdAndUnknownOnesListTheKnown() {
    assertEquals(Loss.MEAN_SQUARED_ERROR, Loss.byId("mean-squared-error"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Loss.byId("hinge"));
    assertTrue(e.getMessage().contains("softmax-cross-entropy"), e.getMessage());
  }

  private Model withHead(double weight) {
    return new Model(4, List.of(
        new Dense(4, 5, true, new GlorotUniform(), Constant.ZEROS, Activation.TANH),
        new Dense(5, 3, true, new GlorotUniform(), Constant.ZEROS)),
        List.of(new AuxiliaryHead(0, List.of(new Dense(5, 3, true, new GlorotUniform(), Constant.ZEROS)), weight)));
  }

  @Test
  void anAuxiliaryHeadAddsItsWeightedLossAndOnlyTrainsWhenItsWeightIsPositive() {
    double[] x = {0.1, -0.4, 0.7, 0.2, 0.5, 0.3, -0.8, 0.9};
    long[] y = {1, 2};
    for (double w : new double[] {0.0, 0.3}) {
      Model model = withHead(w);
      try (ParameterSet p = model.initialize(be, DType.FLOAT64, new RandomStreams(3).stream(RandomStreams.INIT));
          MemoryScope s = be.openScope()) {
        assertTrue(p.contains("heads.0.0.weight"));
        Map<String, double[]> before = p.snapshot();
        Tensor xs = be.fromDoubles(x, 2, 4);
        Tensor ys = be.fromLongs(y, 2);
        // the objective by hand: main loss + w × head loss
        Tape t = Tape.training(be);
        Model.Outputs out = model.forwardWithHeads(model.bind(t, p), t.constant(xs, "x"));
        double main = Ops.softmaxCrossEntropy(out.main(), ys).value().item();
        double head = Ops.softmaxCrossEntropy(out.heads().get(0), ys).value().item();
        var sgd = Optimizers.sgd(0.1);
        TrainingStep step = new TrainingStep(be, model, sgd, "test", true);
        double reported = step.run(p, sgd.init(p), xs, ys, 1, 1).loss();
        assertEquals(main + w * head, reported, 1e-12);
        boolean headMoved = !java.util.Arrays.equals(before.get("heads.0.0.weight"), p.get("heads.0.0.weight").value().toDoubles());
        assertEquals(w > 0, headMoved);
        // evaluation ignores heads: the main output alone
        Tape inference = Tape.inference(be);
        assertEquals(3, model.withoutHeads().forward(inference, p, inference.constant(xs, "x")).shape()[1]);
      }
    }
  }

  @Test
  void aHeadMustHangOnAnIntermediateLayerOfTheRightWidth() {
    Dense hidden = new Dense(4, 5, true, new GlorotUniform(), Constant.ZEROS, Activation.TANH);
    Dense out = new Dense(5, 3, true, new GlorotUniform(), Constant.ZEROS);
    IllegalArgumentException last = assertThrows(IllegalArgumentException.class,
        () -> new Model(4, List.of(hidden, out), List.of(new AuxiliaryHead(1, List.of(new Dense(3, 3, true, new GlorotUniform(), Constant.ZEROS)), 1))));
    assertTrue(last.getMessage().contains("intermediate"), last.getMessage());
    IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
        () -> new Model(4, List.of(hidden, out), List.of(new AuxiliaryHead(0, List.of(new Dense(7, 3, true, new GlorotUniform(), Constant.ZEROS)), 1))));
    assertTrue(width.getMessage().contains("expects 7 inputs but layer 0 gives 5"), width.getMessage());
  }

  /** Counts the training steps it has seen in a buffer, the way batch normalization keeps running statistics. */
  private record StepCounter(int size) implements Layer {
    @Override
    public String kind() {
      return "counter";
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
      return List.of(ParameterDecl.buffer("seen", new long[] {1}, Constant.ZEROS));
    }

    @Override
    public Var forward(Var input, LayerContext context) {
      Tensor seen = context.param("seen").value();
      context.updateBuffer("seen", input.tape().backend().addScalar(seen, 1));
      return input;
    }
  }

  @Test
  void buffersAreUpdatedByTrainingStepsOnlyAndNeverSeenByTheOptimizer() {
    Model model = new Model(4, List.of(new StepCounter(4), new Dense(4, 3, true, new GlorotUniform(), Constant.ZEROS)));
    try (ParameterSet p = model.initialize(be, DType.FLOAT64, new RandomStreams(3).stream(RandomStreams.INIT));
        MemoryScope s = be.openScope()) {
      assertEquals(List.of("layers.1.weight", "layers.1.bias"), p.paths());
      assertEquals(1, p.buffers().size());
      assertThrows(IllegalArgumentException.class, () -> p.get("layers.0.seen").setTrainable(true));
      Tensor xs = be.fromDoubles(new double[] {0.1, -0.4, 0.7, 0.2}, 1, 4);
      Tensor ys = be.fromLongs(new long[] {1}, 1);
      var momentum = Optimizers.momentum(0.1, 0.9);
      TrainingStep step = new TrainingStep(be, model, momentum, "test", true);
      var state = momentum.init(p);
      for (int i = 0; i < 3; i++) state = step.run(p, state, xs, ys, 1, i + 1).state();
      assertArrayEquals(new double[] {3}, p.get("layers.0.seen").value().toDoubles());
      // evaluation (an inference tape) stages nothing
      Tape t = Tape.inference(be);
      model.forward(t, p, t.constant(xs, "x"));
      assertTrue(t.bufferUpdates().isEmpty());
      assertEquals(List.of("layers.1.weight", "layers.1.bias", "layers.0.seen"), List.copyOf(p.snapshot().keySet()));
    }
  }
}
