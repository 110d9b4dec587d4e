package dev.gradus.engine.nn;

import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.tensor.Tensor;
import java.util.function.Function;

/**
 * What a layer sees while it runs: its parameters and buffers by local name, whether it is
 * training, the random stream of stochastic layers (dropout), a way to stage new buffer values
 * (batch normalization's running statistics) and to publish intermediate values for
 * diagnostics (a recurrent layer's hidden states). All of it comes from the {@link Tape}, so a
 * layer stays a description and the step decides what happens to its side effects.
 *
 * <p>A composite layer hands its children {@link #child} contexts, so a nested parameter
 * {@code weight} of child {@code body.0} is found at {@code <layer>.body.0.weight}.
 */
public final class LayerContext {
  /** Where the model publishes its input on the tape, for layers that read it ({@link WithModelInput}). */
  public static final String MODEL_INPUT = "model.input";

  private final Tape tape;
  private final String path;
  private final Function<String, Var> lookup;

  /**
   * @param path the layer's full path ({@code layers.3}), or "" when unknown
   * @param lookup finds a parameter or buffer by its name local to this layer
   */
  public LayerContext(Tape tape, String path, Function<String, Var> lookup) {
    this.tape = tape;
    this.path = path;
    this.lookup = lookup;
  }

  public Tape tape() {
    return tape;
  }

  /** The layer's path, e.g. {@code layers.3} or {@code layers.3.body.0}; "" when run outside a model. */
  public String path() {
    return path;
  }

  /** A parameter or buffer by local name ({@code weight}, {@code runningMean}). */
  public Var param(String name) {
    Var v = lookup.apply(name);
    if (v == null) throw new IllegalArgumentException("parameter " + qualified(name) + " is not bound");
    return v;
  }

  /**
   * True when the step trains (batch statistics, dropout masks); false for evaluation and for
   * inference tapes (running statistics, no dropout).
   */
  public boolean training() {
    return tape.isTraining();
  }

  /** The stream stochastic layers draw from; the trainer gives the run's {@code dropout} stream. */
  public RandomStream random() {
    RandomStream r = tape.random();
    if (r == null) {
      throw new IllegalStateException(qualified("") + " draws random numbers in training mode but the tape has no random"
          + " stream; give one with Tape.withRandom (the trainer uses the run's 'dropout' stream)");
    }
    return r;
  }

  /**
   * Stages a new value for buffer {@code name}, applied by the training step after its update;
   * ignored outside training so evaluation never changes running statistics.
   */
  public void updateBuffer(String name, Tensor value) {
    if (training()) tape.stageBufferUpdate(qualified(name), value);
  }

  /** Makes {@code value} visible to diagnostics under {@code <path>.<name>}. */
  public void publish(String name, Var value) {
    tape.publish(qualified(name), value);
  }

  /** The model's input (the raw features), for layers that see it beside their own input. */
  public Var modelInput() {
    Var v = tape.published().get(MODEL_INPUT);
    if (v == null) throw new IllegalStateException(qualified("") + " reads the model input, but it runs outside a model");
    return v;
  }

  /** The context of a nested layer whose names start with {@code prefix.}. */
  public LayerContext child(String prefix) {
    return new LayerContext(tape, path.isEmpty() ? prefix : path + "." + prefix, name -> lookup.apply(prefix + "." + name));
  }

  private String qualified(String name) {
    if (name.isEmpty()) return path.isEmpty() ? "layer" : path;
    return path.isEmpty() ? name : path + "." + name;
  }
}
