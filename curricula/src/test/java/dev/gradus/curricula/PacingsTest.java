package dev.gradus.curricula;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.schedule.Schedule;
import org.junit.jupiter.api.Test;

/** Pacing values against hand-derived ones. */
class PacingsTest {
  private static void values(Schedule s, double... expected) {
    for (int t = 0; t < expected.length; t++) assertEquals(expected[t], s.at(t), 1e-12, s + " at t=" + t);
  }

  @Test
  void fixed() {
    values(Pacings.fixed(0.3), 0.3, 0.3, 0.3);
    assertEquals("fixed(0.3)", Pacings.fixed(0.3).toString());
  }

  @Test
  void step() {
    // min(1, 0.2 + 0.3·⌊t/2⌋)
    values(Pacings.step(0.2, 0.3, 2), 0.2, 0.2, 0.5, 0.5, 0.8, 0.8, 1.0, 1.0);
    assertEquals("step(start=0.2, increment=0.3, everyEpochs=2)", Pacings.step(0.2, 0.3, 2).toString());
  }

  @Test
  void linear() {
    // 0.2 + 0.8·t/4
    values(Pacings.linear(0.2, 4), 0.2, 0.4, 0.6, 0.8, 1.0, 1.0);
    // 0.2 + 0.4·min(1, t/4)
    values(Pacings.linear(0.2, 0.6, 4), 0.2, 0.3, 0.4, 0.5, 0.6, 0.6, 0.6);
    assertEquals("linear(from=0.2, epochs=4)", Pacings.linear(0.2, 4).toString());
  }

  @Test
  void rootAndSquareRootCompetence() {
    // p = 2, from 0.1, T = 10: c(5) = sqrt(5·0.99/10 + 0.01) = sqrt(0.505)
    Schedule s = Pacings.competenceSqrt(0.1, 10);
    assertEquals(0.1, s.at(0), 1e-12);
    assertEquals(Math.sqrt(0.505), s.at(5), 1e-12);
    assertEquals(0.7106335201775947, s.at(5), 1e-12);
    assertEquals(1.0, s.at(10), 1e-12);
    assertEquals(1.0, s.at(20), 1e-12);
    // p = 3, from 0.5, T = 4: c(2) = (2·0.875/4 + 0.125)^(1/3) = 0.5625^(1/3)
    Schedule r = Pacings.root(0.5, 4, 3);
    assertEquals(Math.cbrt(0.5625), r.at(2), 1e-12);
    assertEquals(0.5, r.at(0), 1e-12);
    assertEquals(1.0, r.at(4), 1e-12);
    assertEquals("competenceSqrt(from=0.1, epochs=10)", s.toString());
    assertEquals("root(from=0.5, epochs=4, power=3.0)", r.toString());
  }

  @Test
  void geometric() {
    // 0.25·4^(t/2)
    values(Pacings.geometric(0.25, 2), 0.25, 0.5, 1.0, 1.0);
    assertEquals("geometric(from=0.25, epochs=2)", Pacings.geometric(0.25, 2).toString());
  }

  @Test
  void exponential() {
    // min(1, 0.1·2^⌊t/3⌋)
    values(Pacings.exponential(0.1, 2, 3), 0.1, 0.1, 0.1, 0.2, 0.2, 0.2, 0.4, 0.4, 0.4, 0.8, 0.8, 0.8, 1.0);
    assertEquals("exponential(start=0.1, factor=2.0, everyEpochs=3)", Pacings.exponential(0.1, 2, 3).toString());
  }

  @Test
  void badArgumentsNameTheArgumentAndValue() {
    assertMessage(() -> Pacings.fixed(0), "fraction", "0.0");
    assertMessage(() -> Pacings.fixed(1.5), "fraction", "1.5");
    assertMessage(() -> Pacings.step(0.1, -1, 1), "increment", "-1.0");
    assertMessage(() -> Pacings.step(0.1, 0.1, 0), "everyEpochs", "0");
    assertMessage(() -> Pacings.linear(0.1, 0), "epochs", "0");
    assertMessage(() -> Pacings.linear(0.5, 0.2, 3), "to", "0.2");
    assertMessage(() -> Pacings.root(0.1, 5, 0), "power", "0.0");
    assertMessage(() -> Pacings.geometric(Double.NaN, 5), "from", "NaN");
    assertMessage(() -> Pacings.exponential(0.1, 0.5, 1), "factor", "0.5");
    assertMessage(() -> Pacings.linear(0.1, 3).at(-1), "epoch index", "-1");
  }

  static void assertMessage(org.junit.jupiter.api.function.Executable e, String... parts) {
    IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
    for (String p : parts) assertTrue(x.getMessage().contains(p), "'" + x.getMessage() + "' should mention " + p);
  }
}
