package dev.gradus.engine.nn;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Var;
import java.util.List;

/**
 * A layer that sees the raw model input beside the previous layer's output: it runs
 * {@code inner} on {@code [x | input]}. This is the architecture of Yu et al. (2010)'s variant of
 * greedy supervised pre-training, where each new stage gets the previous stage's outputs
 * concatenated with the original input. The wrapper owns no parameters of its own, so the inner
 * layer's keep their names ({@code layers.i.weight}).
 */
public record WithModelInput(Layer inner, int modelInputs) implements Layer {
  public WithModelInput {
    if (modelInputs <= 0) throw new IllegalArgumentException("modelInputs must be > 0, got " + modelInputs);
    if (inner.inputSize() <= modelInputs) {
      throw new IllegalArgumentException("the inner " + inner.kind() + " layer takes " + inner.inputSize() + " inputs, which must exceed the "
          + modelInputs + " model inputs it is given beside the previous layer's output");
    }
  }

  @Override
  public String kind() {
    return inner.kind() + "+input";
  }

  @Override
  public int inputSize() {
    return inner.inputSize() - modelInputs;
  }

  @Override
  public int outputSize() {
    return inner.outputSize();
  }

  @Override
  public List<ParameterDecl> parameters() {
    return inner.parameters();
  }

  @Override
  public Var forward(Var input, LayerContext context) {
    Var raw = context.modelInput();
    if (raw.shape()[1] != modelInputs) {
      throw new IllegalArgumentException(context.path() + " expects " + modelInputs + " model inputs, the model gives " + raw.shape()[1]);
    }
    return inner.forward(Ops.concatColumns(input, raw), context);
  }
}
