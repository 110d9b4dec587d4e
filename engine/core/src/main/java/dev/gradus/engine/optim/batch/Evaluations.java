package dev.gradus.engine.optim.batch;

/**
 * What a step of a batch method cost: objective values, gradients and curvature-vector products
 * computed (a value and gradient from one pass count one of each).
 */
public record Evaluations(int values, int gradients, int curvatureProducts) {
  public static final Evaluations NONE = new Evaluations(0, 0, 0);

  public Evaluations plus(Evaluations o) {
    return new Evaluations(values + o.values, gradients + o.gradients, curvatureProducts + o.curvatureProducts);
  }

  @Override
  public String toString() {
    return values + " values, " + gradients + " gradients, " + curvatureProducts + " curvature products";
  }
}
