package dev.gradus.engine.init;

import dev.gradus.engine.nn.Activation;

/**
 * Gains by which an initializer's draws are multiplied (see {@link Gain}).
 *
 * <p><b>From the activation</b> ({@link #forActivation}): {@code torch.nn.init.calculate_gain}'s
 * values where it defines one: identity (linear) 1, ReLU √2, tanh 5/3, sigmoid 1 (and {@link
 * #leakyRelu} √(2/(1 + slope²))). PyTorch defines none for softsign and softplus; for those
 * Gradus uses the rule from which He et al. (2015) derive ReLU's √2: the gain g that keeps the
 * second moment of the pre-activations at 1 from layer to layer, g = 1/√E[f(z)²] for z ~ N(0, 1)
 * (the forward variance map {@code q ↦ g²·E[f(√q·z)²]} then has its fixed point at q = 1):
 * softsign {@value #SOFTSIGN}, softplus {@value #SOFTPLUS} (quadrature, checked in the tests).
 * The same rule would give tanh 1.5925 (PyTorch rounds up to 5/3) and sigmoid 1.8462 (PyTorch
 * keeps 1); Gradus follows PyTorch for those so that results compare with it.
 *
 * <p><b>Random walk</b> (Sussillo &amp; Abbott 2014, "Random walk initialization for training very
 * deep feedforward networks"): for a layer of width N (its fan-in), the gain that makes the
 * log-norm of a back-propagated vector an unbiased random walk: {@code g_lin = exp(1/(2N))} for
 * linear layers and {@code g_ReLU = √2·exp(1.2/(max(N, 6) − 2.4))} for ReLU layers, meant for
 * weights with variance g²/N (e.g. {@code Gain.of(VarianceScaling.lecunNormal(), g)}). The paper
 * gives no formula for other nonlinearities.
 */
public final class Gains {
  private Gains() {}

  /** 1/√E[softsign(z)²], z ~ N(0, 1): the second-moment-preserving gain (PyTorch defines none). */
  public static final double SOFTSIGN = 2.3375333631085397;

  /** 1/√E[softplus(z)²], z ~ N(0, 1): the second-moment-preserving gain (PyTorch defines none). */
  public static final double SOFTPLUS = 1.0418668355353017;

  /** The recommended gain for a layer followed by {@code activation} (see the class doc for the choices). */
  public static double forActivation(Activation activation) {
    if (activation == null) throw new IllegalArgumentException("activation must not be null (use IDENTITY for linear layers)");
    return switch (activation) {
      case IDENTITY -> 1.0;
      case RELU -> Math.sqrt(2.0);
      case TANH -> 5.0 / 3.0;
      case SIGMOID -> 1.0;
      case SOFTSIGN -> SOFTSIGN;
      case SOFTPLUS -> SOFTPLUS;
    };
  }

  /** PyTorch's gain for leaky ReLU with negative slope {@code slope}: √(2/(1 + slope²)). */
  public static double leakyRelu(double slope) {
    Checks.finite("leaky ReLU slope", slope);
    return Math.sqrt(2.0 / (1.0 + slope * slope));
  }

  /** Sussillo &amp; Abbott's gain for linear layers of width {@code n}: exp(1/(2N)). */
  public static double randomWalkLinear(int n) {
    checkWidth(n);
    return Math.exp(1.0 / (2.0 * n));
  }

  /** Sussillo &amp; Abbott's gain for ReLU layers of width {@code n}: √2·exp(1.2/(max(N, 6) − 2.4)). */
  public static double randomWalkRelu(int n) {
    checkWidth(n);
    return Math.sqrt(2.0) * Math.exp(1.2 / (Math.max(n, 6) - 2.4));
  }

  /** Whether {@link #randomWalk} has a formula for {@code activation} (identity and ReLU). */
  public static boolean hasRandomWalk(Activation activation) {
    return activation == Activation.IDENTITY || activation == Activation.RELU;
  }

  /** Sussillo &amp; Abbott's gain for a layer of width {@code n} (its fan-in) with {@code activation}. */
  public static double randomWalk(Activation activation, int n) {
    if (activation == Activation.IDENTITY) return randomWalkLinear(n);
    if (activation == Activation.RELU) return randomWalkRelu(n);
    throw new IllegalArgumentException(
        "Sussillo & Abbott's random-walk gain is defined for identity (linear) and relu layers, not " + activationId(activation));
  }

  static String activationId(Activation a) {
    return a == null ? "a layer without activation" : a.id();
  }

  private static void checkWidth(int n) {
    if (n <= 0) throw new IllegalArgumentException("random-walk gain needs a width N >= 1, got " + n);
  }
}
