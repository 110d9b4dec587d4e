package dev.gradus.engine.train;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.continuation.ObjectiveSettings;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.optim.ClipByGlobalNorm;
import dev.gradus.engine.optim.LookAhead;
import dev.gradus.engine.optim.GradientTransform;
import dev.gradus.engine.optim.OptimizerState;
import dev.gradus.engine.optim.Optimizers;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
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
  private final RandomStream noise;

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
    this(backend, model, optimizer, stage, checkGradients, loss, random, null);
  }

  /**
   * @param noise the stream continuation methods draw from (Gaussian smoothing's perturbations,
   *     parameter noise); may be null when none is used
   */
  public TrainingStep(Backend backend, Model model, GradientTransform optimizer, String stage, boolean checkGradients,
      Loss loss, RandomStream random, RandomStream noise) {
    this.noise = noise;
    this.backend = backend;
    this.model = model;
    this.optimizer = optimizer;
    this.stage = stage;
    this.checkGradients = checkGradients;
    this.loss = loss;
    this.random = random;
  }

  /**
   * The minibatch objective (before the update; heads' weighted losses included), the optimizer's
   * next state, and the global L2 norm of the raw gradients (before any transform: clipping,
   * decay or noise), which the trainer reports per epoch as {@code gradient.norm}.
   */
  public record Outcome(double loss, OptimizerState state, double gradientNorm) {}

  /**
   * Trains {@code params} in place on features {@code x} and INT64 labels {@code y}. When the
   * optimizer asks for the gradient at a look-ahead point (the book's Nesterov, Algorithm 8.3;
   * RMSProp with Nesterov, 8.6), the model runs on {@code θ + offset}, held in step-scoped
   * copies, so the parameters themselves never take a round trip through floating point.
   */
  public Outcome run(ParameterSet params, OptimizerState state, Tensor x, Tensor y, int epoch, long step) {
    return run(params, state, x, y, null, ObjectiveSettings.PLAIN, epoch, step);
  }

  /**
   * As {@link #run(ParameterSet, OptimizerState, Tensor, Tensor, int, long)} with example
   * {@code weights[rows]} (null: all 1; a curriculum's reweighting) and the continuation's
   * {@code settings}: with Gaussian smoothing the gradient is the mean over K perturbed
   * parameter points {@code θ + σε} (ε ~ N(0, I)), an unbiased estimate of the smoothed
   * objective's gradient; parameter noise is added after the update.
   */
  public Outcome run(ParameterSet params, OptimizerState state, Tensor x, Tensor y, Tensor weights, ObjectiveSettings settings,
      int epoch, long step) {
    ParameterSet point = gradientPoint(params, state);
    int samples = settings.smoothingSigma() > 0 ? settings.smoothingSamples() : 1;
    Map<String, Tensor> grads = new LinkedHashMap<>();
    double lossSum = 0;
    Tape last = null;
    for (int k = 0; k < samples; k++) {
      Tape tape = Tape.training(backend).withRandom(random);
      ParameterSet at = settings.smoothingSigma() > 0 ? perturbed(point, settings.smoothingSigma()) : point;
      Map<String, Var> bound = model.bind(tape, at);
      Var objective = objective(tape, bound, x, y, weights, settings);
      double lossValue = objective.value().item();
      if (!Double.isFinite(lossValue)) throw nonFiniteForward(tape, epoch, step, lossValue);
      tape.backward(objective);
      lossSum += lossValue;
      for (Map.Entry<String, Var> e : bound.entrySet()) {
        Var v = e.getValue();
        if (!v.requiresGrad()) continue;
        // a parameter the loss does not reach gets a zero gradient, so optimizer state stays aligned
        Tensor g = v.grad() != null ? v.grad() : backend.zeros(v.value().dtype(), v.shape());
        grads.merge(e.getKey(), g, backend::add);
      }
      last = tape;
    }
    if (samples > 1) grads.replaceAll((path, g) -> backend.scale(g, 1.0 / samples));
    double lossValue = lossSum / samples;
    // read before the update: transforms may return the gradient tensors they were given, changed
    double gradientNorm = checkGradients ? checkedGradientNorm(grads, epoch, step, lossValue) : ClipByGlobalNorm.globalNorm(grads);
    GradientTransform.Update u = optimizer.update(grads, state, params);
    Optimizers.applyUpdates(params, u.updates());
    applyBufferUpdates(params, last);
    if (settings.parameterNoise() > 0) addParameterNoise(params, settings.parameterNoise());
    return new Outcome(lossValue, u.state(), gradientNorm);
  }

  /**
   * The gradients' global L2 norm, checking each gradient on the way: one read-back per tensor
   * (its sum of squares), the same count as a separate finiteness check, so the norm costs nothing
   * extra when checks are on. A non-finite sum is either a NaN/Inf gradient (then the run stops,
   * naming the parameter) or a float32 overflow of finite values (then it is summed in float64).
   */
  private double checkedGradientNorm(Map<String, Tensor> grads, int epoch, long step, double lossValue) {
    double total = 0;
    for (Map.Entry<String, Tensor> e : grads.entrySet()) {
      Tensor g = e.getValue();
      double ss = backend.sumOfSquares(g).item();
      if (!Double.isFinite(ss)) {
        if (!backend.allFinite(g)) {
          throw new NonFiniteValueException(stage, epoch, step, "gradient", e.getKey(), "loss was " + lossValue);
        }
        ss = backend.sumOfSquares(backend.cast(g, DType.FLOAT64)).item();
      }
      total += ss;
    }
    return Math.sqrt(total);
  }

  /** {@code point} with every trainable parameter moved by σ·N(0, I) from the noise stream (buffers and frozen ones kept). */
  private ParameterSet perturbed(ParameterSet point, double sigma) {
    ParameterSet out = new ParameterSet();
    for (Parameter p : point.all()) out.add(p.trainable() ? p.withValue(backend.add(p.value(), gaussian(p.value(), sigma))) : p);
    for (Parameter b : point.buffers()) out.add(b);
    return out;
  }

  private void addParameterNoise(ParameterSet params, double std) {
    for (Parameter p : params.trainable()) backend.addInPlace(p.value(), gaussian(p.value(), std), 1.0);
  }

  private Tensor gaussian(Tensor like, double std) {
    if (noise == null) throw new IllegalStateException("a continuation needs random numbers but the training step has no noise stream");
    double[] v = new double[Math.toIntExact(like.size())];
    for (int i = 0; i < v.length; i++) v[i] = std * noise.nextGaussian();
    return backend.fromDoubles(like.dtype(), v, like.shape());
  }

  /** The loss of the main output plus each auxiliary head's loss times its weight. */
  private Var objective(Tape tape, Map<String, Var> bound, Tensor x, Tensor y, Tensor weights, ObjectiveSettings s) {
    Var input = tape.constant(x, "input");
    if (model.heads().isEmpty()) return lossOf(model.forward(bound, input), y, weights, s);
    Model.Outputs out = model.forwardWithHeads(bound, input);
    Var total = lossOf(out.main(), y, weights, s);
    for (int k = 0; k < out.heads().size(); k++) {
      double w = model.heads().get(k).weight();
      if (w != 0) total = Ops.add(total, Ops.scale(lossOf(out.heads().get(k), y, weights, s), w));
    }
    return total;
  }

  private Var lossOf(Var outputs, Tensor y, Tensor weights, ObjectiveSettings s) {
    return loss.apply(outputs, y, weights, s.labelSmoothing(), s.temperature());
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
