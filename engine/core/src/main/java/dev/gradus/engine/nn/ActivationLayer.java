package dev.gradus.engine.nn;

import dev.gradus.engine.autodiff.Var;
import java.util.List;
import java.util.function.Function;

/** A parameter-free layer applying an {@link Activation}. */
public record ActivationLayer(Activation activation, int inputSize) implements Layer {
  @Override
  public String kind() {
    return activation.id();
  }

  @Override
  public int outputSize() {
    return inputSize;
  }

  @Override
  public List<ParameterDecl> parameters() {
    return List.of();
  }

  @Override
  public Var forward(Var input, Function<String, Var> param) {
    return activation.apply(input);
  }
}
