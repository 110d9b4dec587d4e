package dev.gradus.engine.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SutskeverMomentumTest {
  private static final double EPS = 1e-15;

  @Test
  void paperValues() {
    Schedule s = Schedules.sutskeverMomentum(0.99);
    assertEquals(0.5, s.at(0), EPS); // 1 − 2^(−1−log₂1) = 1 − 1/2
    assertEquals(0.5, s.at(249), EPS); // still the first block
    assertEquals(0.75, s.at(250), EPS); // 1 − 2^(−1−log₂2) = 1 − 1/4
    assertEquals(0.8333333333333334, s.at(500), EPS); // 1 − 2^(−1−log₂3) = 1 − 1/6
    assertEquals(0.875, s.at(750), EPS); // 1 − 2^(−1−log₂4) = 1 − 1/8
    assertEquals(0.875, s.at(999), EPS);
    assertEquals(0.9, s.at(1000), EPS); // 1 − 1/10
  }

  @Test
  void cappedAtMuMax() {
    Schedule s = Schedules.sutskeverMomentum(0.99);
    // 1 − 1/(2n) ≥ 0.99 ⇔ n ≥ 50 ⇔ t ≥ 49·250 = 12250
    assertEquals(0.9897959183673469, s.at(12_249), EPS); // n = 49: 1 − 1/98
    assertEquals(0.99, s.at(12_250), 0.0);
    assertEquals(0.99, s.at(10_000_000), 0.0);
    Schedule low = Schedules.sutskeverMomentum(0.9);
    assertEquals(0.9, low.at(1_250), 0.0); // min(1 − 1/12 = 0.9166…, 0.9)
  }

  @Test
  void configurableBlock() {
    Schedule s = Schedules.sutskeverMomentum(0.999, 100);
    assertEquals(0.5, s.at(99), EPS);
    assertEquals(0.75, s.at(100), EPS); // ⌊100/100⌋ + 1 = 2: 1 − 1/4
  }

  @Test
  void agreesWithThePapersLogarithmicForm() {
    Schedule s = Schedules.sutskeverMomentum(0.995);
    for (long t = 0; t < 100_000; t += 125) {
      double n = Math.floor(t / 250.0) + 1;
      double paper = Math.min(1 - Math.pow(2, -1 - Math.log(n) / Math.log(2)), 0.995);
      assertEquals(paper, s.at(t), 1e-12, "t=" + t);
    }
  }
}
