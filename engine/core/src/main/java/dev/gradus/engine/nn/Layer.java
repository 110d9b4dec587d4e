package dev.gradus.engine.nn;

import dev.gradus.engine.autodiff.Var;
import java.util.List;
import java.util.function.Function;

/**
 * One stage of a sequential model: structure only. Its parameters live in a {@link ParameterSet}
 * and reach {@link #forward} through {@code param}, which maps a local name ("weight") to the
 * value on the tape.
 */
public interface Layer {
  /** "dense", "relu", ... */
  String kind();

  int inputSize();

  int outputSize();

  /**
   * The parameters and buffers this layer owns (none for activations), with names local to the
   * layer; a composite layer lists its children's with their prefixes ({@code body.0.weight}).
   */
  List<ParameterDecl> parameters();

  /** Runs the layer; parameters, mode, randomness and side effects come from {@code context}. */
  Var forward(Var input, LayerContext context);

  /**
   * Runs the layer outside a model with parameters found by local name (diagnostics,
   * data-driven scaling): the mode is the tape's.
   */
  default Var forward(Var input, Function<String, Var> param) {
    return forward(input, new LayerContext(input.tape(), "", param));
  }
}
