package dev.gradus.engine.curvature;

import dev.gradus.engine.diagnostics.SymmetricEigen;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Extreme eigenvalues of a symmetric {@link CurvatureOperator} from its products only.
 *
 * <p>{@link #powerIteration} finds the eigenvalue of largest <em>magnitude</em> (for a Hessian
 * with a large negative eigenvalue that is the negative one, not the largest); {@link #lanczos}
 * builds a k-dimensional Krylov basis with full reorthogonalization (every new vector is
 * orthogonalized twice against all previous ones, so the basis stays orthonormal to rounding and
 * no spurious copies of converged eigenvalues appear) and returns the Ritz values, whose
 * extremes converge first to the extreme eigenvalues. With k equal to the dimension the Ritz
 * values are the whole spectrum. Vectors are handled as flat double arrays in path order.
 */
public final class Spectrum {
  private Spectrum() {}

  /**
   * @param eigenvalue the Rayleigh quotient at the last iterate
   * @param vector the unit iterate, in {@link ParameterVectors#flatten} order
   * @param converged whether the relative change of the eigenvalue fell below the tolerance
   */
  public record PowerResult(double eigenvalue, double[] vector, int iterations, boolean converged) {}

  /**
   * @param ritzValues the eigenvalues of the k×k tridiagonal matrix, ascending
   * @param steps the number of Lanczos steps taken (fewer than asked when the Krylov space is
   *     exhausted, i.e. it is invariant and the Ritz values are exact eigenvalues)
   */
  public record LanczosResult(double[] ritzValues, int steps) {
    public double smallest() {
      return ritzValues[0];
    }

    public double largest() {
      return ritzValues[ritzValues.length - 1];
    }

    /**
     * {@code max|λ| / min|λ|} over the Ritz values, the book's condition number (section 4.2);
     * infinite when a Ritz value is exactly 0. Only meaningful when the extremes have converged
     * (small models, or k close to the dimension).
     */
    public double conditionNumber() {
      double max = 0, min = Double.POSITIVE_INFINITY;
      for (double r : ritzValues) {
        max = Math.max(max, Math.abs(r));
        min = Math.min(min, Math.abs(r));
      }
      return min == 0 ? Double.POSITIVE_INFINITY : max / min;
    }
  }

  /**
   * Power iteration from a random start: {@code v ← A v / ‖A v‖} until the Rayleigh quotient
   * {@code vᵀAv} changes by at most {@code tolerance·|λ|} between iterations, or
   * {@code maxIterations} products. Converges at the rate |λ₂/λ₁|, so slowly when the two
   * largest magnitudes are close; a ±λ pair of equal magnitude does not converge.
   */
  public static PowerResult powerIteration(CurvatureOperator a, RandomStream rng, double tolerance, int maxIterations) {
    if (!(tolerance > 0)) throw new IllegalArgumentException("tolerance must be > 0, got " + tolerance);
    if (maxIterations < 1) throw new IllegalArgumentException("maxIterations must be >= 1, got " + maxIterations);
    Map<String, Tensor> like = a.like();
    double[] v = normalized(randomVector(ParameterVectors.size(like), rng));
    double lambda = Double.NaN;
    for (int it = 1; it <= maxIterations; it++) {
      double[] av = apply(a, v, like);
      double next = dot(v, av);
      double norm = Math.sqrt(dot(av, av));
      if (!Double.isFinite(norm)) throw new ArithmeticException("the operator's product is not finite at iteration " + it);
      if (norm == 0) return new PowerResult(0.0, v, it, true);
      boolean done = !Double.isNaN(lambda) && Math.abs(next - lambda) <= tolerance * Math.abs(next);
      lambda = next;
      for (int i = 0; i < v.length; i++) v[i] = av[i] / norm;
      if (done) return new PowerResult(lambda, v, it, true);
    }
    return new PowerResult(lambda, v, maxIterations, false);
  }

  /** {@code k} steps of Lanczos with full reorthogonalization from a random start (k is capped at the dimension). */
  public static LanczosResult lanczos(CurvatureOperator a, int k, RandomStream rng) {
    if (k < 1) throw new IllegalArgumentException("k must be >= 1, got " + k);
    Map<String, Tensor> like = a.like();
    int n = ParameterVectors.size(like);
    int steps = Math.min(k, n);
    List<double[]> q = new ArrayList<>();
    double[] alpha = new double[steps];
    double[] beta = new double[steps];
    double[] v = normalized(randomVector(n, rng));
    double scale = 0;
    int m = 0;
    for (int j = 0; j < steps; j++) {
      q.add(v);
      double[] w = apply(a, v, like);
      alpha[j] = dot(v, w);
      scale = Math.max(scale, Math.sqrt(dot(w, w)));
      // full reorthogonalization, twice ("twice is enough")
      for (int pass = 0; pass < 2; pass++) {
        for (double[] qi : q) {
          double c = dot(qi, w);
          for (int i = 0; i < n; i++) w[i] -= c * qi[i];
        }
      }
      m = j + 1;
      double b = Math.sqrt(dot(w, w));
      if (j + 1 == steps || b <= 1e-12 * Math.max(scale, Double.MIN_NORMAL)) break;
      beta[j] = b;
      v = new double[n];
      for (int i = 0; i < n; i++) v[i] = w[i] / b;
    }
    double[][] t = new double[m][m];
    for (int i = 0; i < m; i++) {
      t[i][i] = alpha[i];
      if (i + 1 < m) {
        t[i][i + 1] = beta[i];
        t[i + 1][i] = beta[i];
      }
    }
    double[] ritz = SymmetricEigen.eigenvalues(t);
    Arrays.sort(ritz);
    return new LanczosResult(ritz, m);
  }

  private static double[] apply(CurvatureOperator a, double[] v, Map<String, Tensor> like) {
    return ParameterVectors.flatten(a.apply(ParameterVectors.unflatten(v, like)));
  }

  private static double[] randomVector(int n, RandomStream rng) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = rng.nextGaussian();
    return v;
  }

  private static double[] normalized(double[] v) {
    double norm = Math.sqrt(dot(v, v));
    if (!(norm > 0)) throw new IllegalArgumentException("cannot normalize a zero vector");
    for (int i = 0; i < v.length; i++) v[i] /= norm;
    return v;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }
}
