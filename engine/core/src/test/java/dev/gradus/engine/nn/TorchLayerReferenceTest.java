package dev.gradus.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.Tensor;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * BatchNorm and ElmanRnn against PyTorch (torch.nn.BatchNorm1d, torch.nn.RNN) in float64: values,
 * gradients, running statistics and per-step hidden-state gradients from
 * {@code reference/torch/layers.txt}, made by {@code reference/torch/layers.py}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TorchLayerReferenceTest {
  static final Path FILE = Path.of("../../reference/torch/layers.txt");
  static final double TOLERANCE = 1e-9;

  record Fixture(long[] shape, double[] values) {}

  private Backend be;
  private final Map<String, Fixture> ref = new HashMap<>();
  private final Map<String, Map<String, String>> cases = new HashMap<>();

  @BeforeAll
  void load() throws IOException {
    be = new ReferenceBackend();
    for (String line : Files.readAllLines(FILE)) {
      if (line.isBlank() || line.startsWith("#")) continue;
      String[] f = line.trim().split(" ");
      switch (f[0]) {
        case "format" -> assertEquals("gradus-layer-references 1", f[1] + " " + f[2], "fixture format");
        case "case" -> {
          Map<String, String> kv = new HashMap<>();
          for (int i = 2; i < f.length; i++) kv.put(f[i].substring(0, f[i].indexOf('=')), f[i].substring(f[i].indexOf('=') + 1));
          cases.put(f[1], kv);
        }
        case "tensor" -> {
          int rank = Integer.parseInt(f[2]);
          long[] shape = new long[rank];
          for (int i = 0; i < rank; i++) shape[i] = Long.parseLong(f[3 + i]);
          double[] v = new double[f.length - 3 - rank];
          for (int i = 0; i < v.length; i++) v[i] = Double.parseDouble(f[3 + rank + i]);
          ref.put(f[1], new Fixture(shape, v));
        }
        default -> { }
      }
    }
  }

  @AfterAll
  void close() {
    be.close();
  }

  private Fixture get(String name) {
    Fixture f = ref.get(name);
    if (f == null) throw new AssertionError("fixture " + name + " missing from " + FILE);
    return f;
  }

  private Tensor tensor(String name) {
    Fixture f = get(name);
    return be.fromDoubles(f.values(), f.shape());
  }

  private double worst = 0;

  private void assertClose(String name, Tensor actual) {
    Fixture f = get(name);
    assertArrayEquals(f.shape(), actual.shape(), name + " shape");
    double[] a = actual.toDoubles();
    double err = 0;
    for (int i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i] - f.values()[i]));
    worst = Math.max(worst, err);
    System.out.println("torch agreement " + name + ": max abs error " + err);
    assertTrue(err <= TOLERANCE, name + ": max abs error " + err + "\n  gradus " + Arrays.toString(a) + "\n  torch  "
        + Arrays.toString(f.values()));
  }

  private BatchNorm batchNorm() {
    Map<String, String> c = cases.get("bn");
    return new BatchNorm(Integer.parseInt(c.get("features")), Double.parseDouble(c.get("momentum")), Double.parseDouble(c.get("epsilon")));
  }

  @Test
  void batchNormTrainingStepMatchesTorch() {
    BatchNorm bn = batchNorm();
    try (MemoryScope s = be.openScope()) {
      Tape tape = Tape.training(be);
      Var x = tape.leaf(tensor("bn.x"), "x");
      Map<String, Var> p = Map.of(
          "scale", tape.leaf(tensor("bn.scale"), "scale"),
          "shift", tape.leaf(tensor("bn.shift"), "shift"),
          "runningMean", tape.constant(be.zeros(x.value().dtype(), bn.features()), "runningMean"),
          "runningVar", tape.constant(be.full(x.value().dtype(), 1.0, bn.features()), "runningVar"));
      Var y = bn.forward(x, new LayerContext(tape, "", p::get));
      tape.backward(Ops.sum(Ops.mul(y, tape.constant(tensor("bn.weights"), "R"))));
      assertClose("bn.train.y", y.value());
      assertClose("bn.train.grad.x", x.grad());
      assertClose("bn.train.grad.scale", p.get("scale").grad());
      assertClose("bn.train.grad.shift", p.get("shift").grad());
      assertClose("bn.runningMean", tape.bufferUpdates().get("runningMean"));
      assertClose("bn.runningVar", tape.bufferUpdates().get("runningVar"));
    }
    System.out.println("torch agreement batch-norm training: worst " + worst);
  }

  @Test
  void batchNormEvaluationMatchesTorch() {
    BatchNorm bn = batchNorm();
    try (MemoryScope s = be.openScope()) {
      Tape tape = Tape.evaluationGradients(be);
      Var x = tape.leaf(tensor("bn.x"), "x");
      Map<String, Var> p = Map.of(
          "scale", tape.leaf(tensor("bn.scale"), "scale"),
          "shift", tape.leaf(tensor("bn.shift"), "shift"),
          "runningMean", tape.constant(tensor("bn.runningMean"), "runningMean"),
          "runningVar", tape.constant(tensor("bn.runningVar"), "runningVar"));
      Var y = bn.forward(x, new LayerContext(tape, "", p::get));
      tape.backward(Ops.sum(Ops.mul(y, tape.constant(tensor("bn.weights"), "R"))));
      assertClose("bn.eval.y", y.value());
      assertClose("bn.eval.grad.x", x.grad());
      assertClose("bn.eval.grad.scale", p.get("scale").grad());
      assertClose("bn.eval.grad.shift", p.get("shift").grad());
      assertTrue(tape.bufferUpdates().isEmpty());
    }
  }

  @Test
  void elmanRnnMatchesTorchRnnIncludingHiddenStateGradients() {
    Map<String, String> c = cases.get("rnn");
    int steps = Integer.parseInt(c.get("steps"));
    int stepFeatures = Integer.parseInt(c.get("stepFeatures"));
    ElmanRnn rnn = new ElmanRnn(steps * stepFeatures, stepFeatures, Integer.parseInt(c.get("hidden")));
    try (MemoryScope s = be.openScope()) {
      Tape tape = Tape.training(be);
      Var x = tape.leaf(tensor("rnn.x"), "x");
      Map<String, Var> p = Map.of(
          "inputWeight", tape.leaf(tensor("rnn.inputWeight"), "inputWeight"),
          "recurrentWeight", tape.leaf(tensor("rnn.recurrentWeight"), "recurrentWeight"),
          "bias", tape.leaf(tensor("rnn.bias"), "bias"));
      Var y = rnn.forward(x, new LayerContext(tape, "", p::get));
      tape.backward(Ops.sum(Ops.mul(y, tape.constant(tensor("rnn.weights"), "R"))));
      assertClose("rnn.y", y.value());
      assertClose("rnn.grad.x", x.grad());
      for (String name : new String[] {"inputWeight", "recurrentWeight", "bias"}) assertClose("rnn.grad." + name, p.get(name).grad());
      assertEquals(steps, tape.published().size());
      for (int t = 1; t <= steps; t++) {
        Var h = tape.published().get("hidden." + t);
        assertClose("rnn.hidden." + t, h.value());
        assertClose("rnn.hidden." + t + ".grad", h.grad());
      }
    }
  }
}
