package dev.gradus.engine.nn;

import dev.gradus.engine.autodiff.Var;
import java.util.List;

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
  public Var forward(Var input, LayerContext context) {
    return activation.apply(input);
  }
}
