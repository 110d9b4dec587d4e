package dev.gradus.engine.train;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.optim.LookAhead;
import dev.gradus.engine.optim.GradientTransform;
import dev.gradus.engine.optim.OptimizerState;
import dev.gradus.engine.optim.Optimizers;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One optimizer step on one minibatch: forward, loss (plus the weighted losses of auxiliary
 * heads), backward, finiteness checks, update, then the buffer values layers staged (batch
 * normalization's running statistics). The {@link Trainer} runs it inside a memory scope per step; benchmarks run it
 * bare. Throws {@link NonFiniteValueException} naming where a NaN/Inf first appeared.
 */
public final class TrainingStep {
  private final Backend backend;
  private final Model model;
  private final GradientTransform optimizer;
  private final String stage;
  private final boolean checkGradients;
  private final Loss loss;
  private final RandomStream random;

  /** Softmax cross-entropy, no stochastic layers. */
  public TrainingStep(Backend backend, Model model, GradientTransform optimizer, String stage, boolean checkGradients) {
    this(backend, model, optimizer, stage, checkGradients, Loss.SOFTMAX_CROSS_ENTROPY, null);
  }

  /**
   * @param random the stream stochastic layers (dropout) draw from; may be null for a model
   *     without them
   */
  public TrainingStep(Backend backend, Model model, GradientTransform optimizer, String stage, boolean checkGradients,
      Loss loss, RandomStream random) {
    this.backend = backend;
    this.model = model;
    this.optimizer = optimizer;
    this.stage = stage;
    this.checkGradients = checkGradients;
    this.loss = loss;
    this.random = random;
  }

  /** The minibatch objective (before the update; heads' weighted losses included) and the optimizer's next state. */
  public record Outcome(double loss, OptimizerState state) {}

  /**
   * Trains {@code params} in place on features {@code x} and INT64 labels {@code y}. When the
   * optimizer asks for the gradient at a look-ahead point (the book's Nesterov, Algorithm 8.3;
   * RMSProp with Nesterov, 8.6), the model runs on {@code θ + offset}, held in step-scoped
   * copies, so the parameters themselves never take a round trip through floating point.
   */
  public Outcome run(ParameterSet params, OptimizerState state, Tensor x, Tensor y, int epoch, long step) {
    Tape tape = Tape.training(backend).withRandom(random);
    Map<String, Var> bound = model.bind(tape, gradientPoint(params, state));
    Var objective = objective(tape, bound, x, y);
    double lossValue = objective.value().item();
    if (!Double.isFinite(lossValue)) throw nonFiniteForward(tape, epoch, step, lossValue);
    tape.backward(objective);
    Map<String, Tensor> grads = new LinkedHashMap<>();
    for (Map.Entry<String, Var> e : bound.entrySet()) {
      Var v = e.getValue();
      if (!v.requiresGrad()) continue;
      // a parameter the loss does not reach gets a zero gradient, so optimizer state stays aligned
      grads.put(e.getKey(), v.grad() != null ? v.grad() : backend.zeros(v.value().dtype(), v.shape()));
    }
    if (checkGradients) {
      for (Map.Entry<String, Tensor> e : grads.entrySet()) {
        if (!backend.allFinite(e.getValue())) {
          throw new NonFiniteValueException(stage, epoch, step, "gradient", e.getKey(), "loss was " + lossValue);
        }
      }
    }
    GradientTransform.Update u = optimizer.update(grads, state, params);
    Optimizers.applyUpdates(params, u.updates());
    applyBufferUpdates(params, tape);
    return new Outcome(lossValue, u.state());
  }

  /** The loss of the main output plus each auxiliary head's loss times its weight. */
  private Var objective(Tape tape, Map<String, Var> bound, Tensor x, Tensor y) {
    Var input = tape.constant(x, "input");
    if (model.heads().isEmpty()) return loss.apply(model.forward(bound, input), y);
    Model.Outputs out = model.forwardWithHeads(bound, input);
    Var total = loss.apply(out.main(), y);
    for (int k = 0; k < out.heads().size(); k++) {
      double w = model.heads().get(k).weight();
      if (w != 0) total = Ops.add(total, Ops.scale(loss.apply(out.heads().get(k), y), w));
    }
    return total;
  }

  /**
   * Copies the staged buffer values into the buffers. Staged values belong to the gradient point,
   * which for look-ahead optimizers is a shifted copy; the buffers are the model's own.
   */
  private void applyBufferUpdates(ParameterSet params, Tape tape) {
    for (Map.Entry<String, Tensor> e : tape.bufferUpdates().entrySet()) {
      Parameter b = params.get(e.getKey());
      if (!b.isBuffer()) throw new IllegalStateException(e.getKey() + " was staged as a buffer update but is a trainable parameter");
      backend.copyInto(b.value(), e.getValue());
    }
  }

  private ParameterSet gradientPoint(ParameterSet params, OptimizerState state) {
    Map<String, Tensor> offsets = new LinkedHashMap<>();
    for (LookAhead.Found f : LookAhead.find(optimizer, state)) {
      f.offsets(params).forEach((path, o) -> offsets.merge(path, o, backend::add));
    }
    if (offsets.isEmpty()) return params;
    ParameterSet shifted = new ParameterSet();
    for (Parameter p : params.all()) {
      Tensor o = offsets.get(p.path());
      shifted.add(o == null ? p : p.withValue(backend.add(p.value(), o)));
    }
    for (Parameter b : params.buffers()) shifted.add(b);
    return shifted;
  }

  /** Locates the first layer whose output is not finite, for the error message. */
  private NonFiniteValueException nonFiniteForward(Tape tape, int epoch, long step, double lossValue) {
    for (Var v : tape.nodes()) {
      if (!v.layer().isEmpty() && !backend.allFinite(v.value())) {
        return new NonFiniteValueException(stage, epoch, step, "activation", v.layer(),
            v.op() + " output is not finite; loss " + lossValue);
      }
    }
    return new NonFiniteValueException(stage, epoch, step, "loss", "the loss", "loss " + lossValue
        + " with finite layer outputs (logits too large for the loss?)");
  }
}
