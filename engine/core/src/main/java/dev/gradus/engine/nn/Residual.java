package dev.gradus.engine.nn;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Var;
import java.util.ArrayList;
import java.util.List;

/**
 * A residual block {@code y = after(body(x) + skip(x))} (He et al. 2016): the body learns a
 * correction to its input instead of a whole mapping, and the skip path carries the gradient
 * past the body unattenuated, which is what makes very deep nets trainable. The skip is the
 * identity when the body keeps the width, otherwise a {@link Dense} projection (He et al.'s
 * option B, {@code W_s x}).
 *
 * <p>Parameters are the body layers' under {@code body.<j>.} and the projection's under
 * {@code projection.}, so inside a model they are {@code layers.i.body.0.weight},
 * {@code layers.i.projection.weight}, ...
 *
 * @param projection the skip path when sizes differ; null for the identity
 * @param after applied to the sum (ReLU in He et al.; IDENTITY for none)
 */
public record Residual(List<Layer> body, Dense projection, Activation after) implements Layer {
  public Residual {
    if (body == null || body.isEmpty()) throw new IllegalArgumentException("a residual block needs at least one body layer");
    body = List.copyOf(body);
    if (after == null) throw new IllegalArgumentException("residual activation must not be null (use IDENTITY)");
    for (int j = 1; j < body.size(); j++) {
      if (body.get(j).inputSize() != body.get(j - 1).outputSize()) {
        throw new IllegalArgumentException("residual body." + j + " (" + body.get(j).kind() + ") expects " + body.get(j).inputSize()
            + " inputs but body." + (j - 1) + " gives " + body.get(j - 1).outputSize());
      }
    }
    int in = body.get(0).inputSize();
    int out = body.get(body.size() - 1).outputSize();
    if (projection == null && in != out) {
      throw new IllegalArgumentException("residual body maps " + in + " inputs to " + out + " outputs, so the identity skip"
          + " cannot be added; give a projection Dense(" + in + ", " + out + ", ...)");
    }
    if (projection != null && (projection.inputSize() != in || projection.outputSize() != out)) {
      throw new IllegalArgumentException("residual projection maps " + projection.inputSize() + " to " + projection.outputSize()
          + " but the body maps " + in + " to " + out);
    }
  }

  /** Identity skip, no activation after the sum. */
  public Residual(List<Layer> body) {
    this(body, null, Activation.IDENTITY);
  }

  @Override
  public String kind() {
    return after == Activation.IDENTITY ? "residual" : "residual+" + after.id();
  }

  @Override
  public int inputSize() {
    return body.get(0).inputSize();
  }

  @Override
  public int outputSize() {
    return body.get(body.size() - 1).outputSize();
  }

  @Override
  public List<ParameterDecl> parameters() {
    List<ParameterDecl> ps = new ArrayList<>();
    for (int j = 0; j < body.size(); j++) {
      for (ParameterDecl d : body.get(j).parameters()) ps.add(d.prefixed("body." + j));
    }
    if (projection != null) for (ParameterDecl d : projection.parameters()) ps.add(d.prefixed("projection"));
    return ps;
  }

  @Override
  public Var forward(Var input, LayerContext context) {
    Var y = input;
    for (int j = 0; j < body.size(); j++) y = body.get(j).forward(y, context.child("body." + j));
    Var skip = projection == null ? input : projection.forward(input, context.child("projection"));
    return after.apply(Ops.add(y, skip));
  }
}
