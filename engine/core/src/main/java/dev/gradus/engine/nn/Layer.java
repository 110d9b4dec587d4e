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

  /** The parameters this layer owns (none for activations). */
  List<ParameterDecl> parameters();

  Var forward(Var input, Function<String, Var> param);
}
