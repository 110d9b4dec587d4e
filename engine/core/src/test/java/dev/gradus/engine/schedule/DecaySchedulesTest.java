package dev.gradus.engine.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The closed-form decays against hand-derived values. */
class DecaySchedulesTest {
  private static final double EPS = 1e-15;

  @Test
  void constantIsTheSameEverywhere() {
    Schedule s = Schedules.constant(0.1);
    assertEquals(0.1, s.at(0));
    assertEquals(0.1, s.at(Long.MAX_VALUE));
  }

  @Test
  void stepDecayHalvesEveryHundredSteps() {
    Schedule s = Schedules.stepDecay(0.1, 0.5, 100);
    assertEquals(0.1, s.at(0), EPS); // 0.1·0.5^0
    assertEquals(0.1, s.at(99), EPS); // ⌊99/100⌋ = 0
    assertEquals(0.05, s.at(100), EPS); // 0.1·0.5^1
    assertEquals(0.025, s.at(250), EPS); // 0.1·0.5^2 = 0.025
    assertEquals(0.0125, s.at(300), EPS); // 0.1·0.5^3 = 0.0125
  }

  @Test
  void multiStepMultipliesAtEachMilestone() {
    Schedule s = Schedules.multiStep(1.0, 0.1, 30, 80);
    assertEquals(1.0, s.at(0), EPS);
    assertEquals(1.0, s.at(29), EPS); // before the first milestone
    assertEquals(0.1, s.at(30), EPS); // 1·0.1^1: the milestone step is already reduced
    assertEquals(0.1, s.at(79), EPS);
    assertEquals(0.01, s.at(80), EPS); // 1·0.1^2 = 0.01
    assertEquals(0.01, s.at(1_000_000), EPS);
  }

  @Test
  void multiStepWithoutMilestonesIsConstant() {
    assertEquals(0.3, Schedules.multiStep(0.3, 0.1).at(1_000), EPS);
  }

  @Test
  void exponentialDecay() {
    Schedule s = Schedules.exponential(0.1, 0.5);
    assertEquals(0.1, s.at(0), EPS); // 0.1·e^0
    assertEquals(0.036787944117144233, s.at(2), EPS); // 0.1·e^(−0.5·2) = 0.1·0.36787944117144233
    assertEquals(0.01353352832366127, s.at(4), EPS); // 0.1·e^(−2) = 0.1·0.1353352832366127
    assertEquals(0.1, Schedules.exponential(0.1, 0).at(1_000), EPS); // rate 0: constant
  }

  @Test
  void inverseTimeDecay() {
    Schedule s = Schedules.inverseTime(0.1, 0.5);
    assertEquals(0.1, s.at(0), EPS); // 0.1/(1+0)
    assertEquals(0.05, s.at(2), EPS); // 0.1/(1+0.5·2) = 0.1/2
    assertEquals(0.025, s.at(6), EPS); // 0.1/(1+3) = 0.025
    assertEquals(0.01, s.at(18), EPS); // 0.1/(1+9) = 0.01
  }

  @Test
  void linearDecayFollowsEquation814ThenStaysAtTheFloor() {
    Schedule s = Schedules.linearDecay(0.1, 100, 0.001); // ε₀ = 0.1, τ = 100, ε_τ = 0.001
    assertEquals(0.1, s.at(0), EPS); // t = 0: ε₀
    assertEquals(0.07525, s.at(25), EPS); // 0.75·0.1 + 0.25·0.001 = 0.075 + 0.00025
    assertEquals(0.0505, s.at(50), EPS); // 0.5·0.1 + 0.5·0.001 = 0.05 + 0.0005
    assertEquals(0.00199, s.at(99), EPS); // 0.01·0.1 + 0.99·0.001 = 0.001 + 0.00099
    assertEquals(0.001, s.at(100), 0.0); // t = τ: exactly ε_τ
    assertEquals(0.001, s.at(101), 0.0); // t = τ+1: constant after
    assertEquals(0.001, s.at(1_000_000_000L), 0.0);
  }

  @Test
  void polynomialDecay() {
    Schedule s = Schedules.polynomial(1.0, 10, 0.2, 2.0);
    assertEquals(1.0, s.at(0), EPS); // 0.8·1^2 + 0.2
    assertEquals(0.4, s.at(5), EPS); // 0.8·(1 − 5/10)^2 + 0.2 = 0.8·0.25 + 0.2
    assertEquals(0.232, s.at(8), EPS); // 0.8·0.2^2 + 0.2 = 0.032 + 0.2
    assertEquals(0.2, s.at(10), 0.0); // t = T: (1 − 1)^2 = 0
    assertEquals(0.2, s.at(11), 0.0); // min(t, T) = T
    assertEquals(0.5, Schedules.polynomial(1.0, 4, 0.0, 0.5).at(3), EPS); // (1 − 3/4)^0.5 = 0.5
  }

  @Test
  void polynomialOfPowerOneIsLinearDecay() {
    Schedule p = Schedules.polynomial(0.1, 100, 0.001, 1.0);
    Schedule l = Schedules.linearDecay(0.1, 100, 0.001);
    for (long t = 0; t <= 120; t++) assertEquals(l.at(t), p.at(t), 1e-16, "t=" + t);
  }

  @Test
  void cosineAnnealing() {
    Schedule s = Schedules.cosine(1.0, 100);
    assertEquals(1.0, s.at(0), 0.0); // (1 + cos 0)/2 = 1
    assertEquals(0.8535533905932738, s.at(25), EPS); // (1 + cos(π/4))/2 = (1 + 0.7071067811865476)/2
    assertEquals(0.5, s.at(50), EPS); // (1 + cos(π/2))/2 = 0.5
    assertEquals(0.0, s.at(100), 0.0); // t = T: cos π = −1
    assertEquals(0.0, s.at(101), 0.0);
    assertEquals(0.0, s.at(10_000), 0.0);

    Schedule withEnd = Schedules.cosine(1.1, 100, 0.1);
    assertEquals(0.6, withEnd.at(50), EPS); // 0.1 + 1.0·0.5
    assertEquals(0.2464466094067262, withEnd.at(75), EPS); // 0.1 + (1 + cos(3π/4))/2 = 0.1 + (1 − 0.7071067811865476)/2
    assertEquals(0.1, withEnd.at(100), 0.0);

    assertEquals(5e-4, Schedules.cosine(1e-3, 10_000).at(5_000), EPS); // 1e-3·(1 + cos(π/2))/2
  }
}
