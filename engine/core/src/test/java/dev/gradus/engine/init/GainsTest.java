package dev.gradus.engine.init;

import static dev.gradus.engine.init.BasicInitializersTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.random.RandomStream;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

class GainsTest {
  @Test
  void activationGainsFollowPyTorch() {
    assertEquals(1.0, Gains.forActivation(Activation.IDENTITY), 0.0);
    assertEquals(Math.sqrt(2.0), Gains.forActivation(Activation.RELU), 0.0);
    assertEquals(5.0 / 3.0, Gains.forActivation(Activation.TANH), 0.0);
    assertEquals(1.0, Gains.forActivation(Activation.SIGMOID), 0.0);
    assertEquals(Math.sqrt(2.0 / (1 + 0.01 * 0.01)), Gains.leakyRelu(0.01), 1e-15);
    for (Activation a : Activation.values()) assertTrue(Gains.forActivation(a) > 0, a.id());
  }

  /** Where PyTorch defines none: 1/√E[f(z)²], which gives ReLU's √2 exactly; checked by quadrature. */
  @Test
  void secondMomentGainsByQuadrature() {
    assertEquals(Math.sqrt(2.0), secondMomentGain(z -> Math.max(z, 0)), 1e-10);
    assertEquals(Gains.SOFTSIGN, secondMomentGain(z -> z / (1 + Math.abs(z))), 1e-9);
    assertEquals(Gains.SOFTPLUS, secondMomentGain(z -> z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))), 1e-9);
    assertEquals(Gains.SOFTSIGN, Gains.forActivation(Activation.SOFTSIGN), 0.0);
    assertEquals(Gains.SOFTPLUS, Gains.forActivation(Activation.SOFTPLUS), 0.0);
  }

  private static double secondMomentGain(DoubleUnaryOperator f) {
    double m2 = Stats.simpson(z -> Math.pow(f.applyAsDouble(z), 2) * Stats.phi(z), -14, 14, 56_000);
    return 1 / Math.sqrt(m2);
  }

  @Test
  void sussilloAbbottRandomWalkGains() {
    // N = 100: g_ReLU = √2·e^(1.2/97.6) = 1.414214 × 1.012371 ≈ 1.431709, g_lin = e^(1/200)
    assertEquals(1.431709, Gains.randomWalkRelu(100), 5e-7);
    assertEquals(Math.sqrt(2) * Math.exp(1.2 / 97.6), Gains.randomWalkRelu(100), 1e-15);
    assertEquals(Math.exp(0.005), Gains.randomWalkLinear(100), 1e-15);
    // below 6 the ReLU formula uses max(N, 6)
    assertEquals(Math.sqrt(2) * Math.exp(1.2 / 3.6), Gains.randomWalkRelu(3), 1e-15);
    assertEquals(Gains.randomWalkRelu(6), Gains.randomWalkRelu(1), 0.0);
    assertEquals(Gains.randomWalkRelu(100), Gains.randomWalk(Activation.RELU, 100), 0.0);
    assertEquals(Gains.randomWalkLinear(7), Gains.randomWalk(Activation.IDENTITY, 7), 0.0);
    assertTrue(Gains.hasRandomWalk(Activation.RELU));
    assertFalse(Gains.hasRandomWalk(Activation.TANH));
    assertMessage(() -> Gains.randomWalk(Activation.TANH, 100),
        "Sussillo & Abbott's random-walk gain is defined for identity (linear) and relu layers, not tanh");
    assertMessage(() -> Gains.randomWalkLinear(0), "random-walk gain needs a width N >= 1, got 0");
  }

  @Test
  void gainMultipliesTheBaseDrawsAndTheVariance() {
    long[] shape = {200, 500};
    Initializer base = VarianceScaling.lecunNormal();
    double[] b = base.sample(shape, 500, 200, new RandomStream("init", 9));
    Gain g = Gain.of(base, 3.0);
    double[] v = g.sample(shape, 500, 200, new RandomStream("init", 9));
    for (int i = 0; i < v.length; i++) assertEquals(3.0 * b[i], v[i], 0.0);
    Stats.assertNormal("lecun-normal*3", v, 0.0, 9.0 / 500);
    assertEquals("lecun-normal*3.0", g.name());
    assertEquals(new Gain(base, 6.0), Gain.of(g, 2.0)); // gains compose
    assertEquals(new Gain(base, 5.0 / 3.0), Gain.forActivation(base, Activation.TANH));
    assertEquals(new Gain(base, Gains.randomWalkRelu(500)), Gain.randomWalk(base, Activation.RELU, 500));
    assertMessage(() -> Gain.of(base, -1), "gain must be > 0 and finite, got -1.0");
    assertMessage(() -> Gain.of(null, 2), "gain needs an initializer to scale, got null");
  }
}
