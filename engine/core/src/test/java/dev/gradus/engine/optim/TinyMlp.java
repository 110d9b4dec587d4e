package dev.gradus.engine.optim;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The torch fixture's problem in Gradus: MLP 4 → 5 (tanh) → 3, mean softmax cross-entropy on 8
 * examples, full batch, float64, initial values from the fixture. Also plain loops that run
 * an optimizer on it.
 */
final class TinyMlp {
  final Backend be;
  final Model model = Model.builder(4).dense(5, Activation.TANH).dense(3).build();
  final Tensor x;
  final Tensor y;
  final List<TorchTrajectories.Param> initial;

  TinyMlp(Backend be, double[] x, long[] xShape, int[] y, List<TorchTrajectories.Param> initial) {
    this.be = be;
    this.x = be.detach(be.fromDoubles(x, xShape));
    this.y = be.detach(be.fromInts(y));
    this.initial = initial;
  }

  /** Fresh parameters at the fixture's initial values, float64, outside any scope. */
  ParameterSet parameters() {
    ParameterSet set = new ParameterSet();
    for (TorchTrajectories.Param p : initial) {
      set.add(new Parameter(p.path(), be.detach(be.fromDoubles(DType.FLOAT64, p.values(), p.shape())), true));
    }
    return set;
  }

  /** The loss and its gradient by path at the current parameters. */
  TestProblems.Evaluation evaluate(ParameterSet params) {
    Tape tape = Tape.training(be);
    Map<String, Var> bound = model.bind(tape, params);
    Var loss = Ops.softmaxCrossEntropy(model.forward(bound, tape.constant(x, "input")), y);
    tape.backward(loss);
    Map<String, Tensor> grads = new LinkedHashMap<>();
    for (Map.Entry<String, Var> e : bound.entrySet()) grads.put(e.getKey(), e.getValue().grad());
    return new TestProblems.Evaluation(loss.value().item(), grads);
  }

  /** The gradient at parameter values given as doubles by path (for plain reference loops). */
  Map<String, double[]> gradientAt(Map<String, double[]> values) {
    try (MemoryScope s = be.openScope()) {
      ParameterSet set = new ParameterSet();
      for (TorchTrajectories.Param p : initial) {
        set.add(new Parameter(p.path(), be.fromDoubles(values.get(p.path()), p.shape()), true));
      }
      Map<String, double[]> out = new LinkedHashMap<>();
      evaluate(set).gradients().forEach((k, g) -> out.put(k, g.toDoubles()));
      return out;
    }
  }

  static double[] flatten(ParameterSet params) {
    Map<String, double[]> snap = params.snapshot();
    int n = 0;
    for (double[] v : snap.values()) n += v.length;
    double[] out = new double[n];
    int i = 0;
    for (double[] v : snap.values()) {
      System.arraycopy(v, 0, out, i, v.length);
      i += v.length;
    }
    return out;
  }

  /**
   * Runs {@code steps} updates of {@code optimizer} from {@code state} (look-ahead honoured),
   * calling {@code afterStep} with (loss before the step, step index 1-based) after each;
   * returns the final state.
   */
  OptimizerState run(GradientTransform optimizer, OptimizerState state, ParameterSet params, int steps, StepListener afterStep) {
    for (int k = 1; k <= steps; k++) {
      try (MemoryScope s = be.openScope()) {
        double[] loss = new double[1];
        OptimizerState st = state;
        Map<String, Tensor> grads = LookAhead.gradientAt(optimizer, st, params, () -> {
          TestProblems.Evaluation e = evaluate(params);
          loss[0] = e.loss();
          return e.gradients();
        });
        GradientTransform.Update u = optimizer.update(grads, state, params);
        Optimizers.applyUpdates(params, u.updates());
        state = u.state();
        if (afterStep != null) afterStep.after(k, loss[0]);
      }
    }
    return state;
  }

  interface StepListener {
    void after(int step, double lossBefore);
  }
}
