package dev.gradus.engine.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Warm-up, join and per-epoch adapters. */
class CompositeSchedulesTest {
  private static final double EPS = 1e-15;

  @Test
  void warmupRampsLinearlyToTheFirstValueOfTheScheduleAfter() {
    Schedule s = Schedules.warmup(Schedules.constant(0.1), 10);
    assertEquals(0.0, s.at(0), 0.0); // start
    assertEquals(0.05, s.at(5), EPS); // 0 + 0.1·5/10
    assertEquals(0.09, s.at(9), EPS); // 0 + 0.1·9/10
    assertEquals(0.1, s.at(10), 0.0); // t = W: after.at(0)
    assertEquals(0.1, s.at(11), 0.0);
  }

  @Test
  void warmupHandsTheScheduleAfterItsOwnSteps() {
    Schedule s = Schedules.warmup(Schedules.cosine(1.0, 100), 10, 0.01);
    assertEquals(0.01, s.at(0), 0.0); // start
    assertEquals(0.505, s.at(5), EPS); // 0.01 + (1.0 − 0.01)·5/10 = 0.01 + 0.495
    assertEquals(1.0, s.at(10), 0.0); // cosine.at(0)
    assertEquals(0.5, s.at(60), EPS); // cosine.at(50) = 0.5
    assertEquals(0.0, s.at(110), 0.0); // cosine.at(100) = 0
  }

  @Test
  void warmupIsContinuousAtItsEnd() {
    Schedule s = Schedules.warmup(Schedules.cosine(1.0, 100), 10, 0.01);
    // The last ramp step is one ramp increment, (1.0 − 0.01)/10 = 0.099, below after.at(0)...
    assertEquals(0.099, s.at(10) - s.at(9), 1e-12);
    // ...and after.at(1) − after.at(0) = (cos(π/100) − 1)/2 = −0.0002467198171341...
    assertEquals(-2.467198171342e-4, s.at(11) - s.at(10), 1e-15);
  }

  @Test
  void zeroWarmupStepsIsTheScheduleAfter() {
    Schedule after = Schedules.stepDecay(0.1, 0.5, 3);
    Schedule s = Schedules.warmup(after, 0);
    for (long t = 0; t < 10; t++) assertEquals(after.at(t), s.at(t), 0.0);
  }

  @Test
  void joinRunsEachPartFromItsBoundaryWithRelativeSteps() {
    Schedule s = Schedules.join(List.of(Schedules.constant(1.0), Schedules.linearDecay(1.0, 10, 0.0),
        Schedules.constant(0.01)), 5, 15);
    assertEquals(1.0, s.at(0), 0.0);
    assertEquals(1.0, s.at(4), 0.0);
    assertEquals(1.0, s.at(5), 0.0); // linear.at(0)
    assertEquals(0.5, s.at(10), EPS); // linear.at(5) = (1 − 5/10)·1
    assertEquals(0.1, s.at(14), EPS); // linear.at(9) = (1 − 9/10)·1
    assertEquals(0.01, s.at(15), 0.0); // third part from step 15
    assertEquals(0.01, s.at(1_000), 0.0);
  }

  @Test
  void joinedPartSeesStepsFromItsOwnStart() {
    Schedule s = Schedules.join(List.of(t -> -1.0, t -> (double) t), 7);
    assertEquals(-1.0, s.at(6), 0.0);
    assertEquals(0.0, s.at(7), 0.0); // part 1 sees step 7 − 7 = 0
    assertEquals(3.0, s.at(10), 0.0); // 10 − 7

    Schedule restart = Schedules.join(List.of(Schedules.stepDecay(1.0, 0.5, 2), Schedules.stepDecay(1.0, 0.5, 2)), 3);
    assertEquals(0.5, restart.at(2), 0.0); // first part: 0.5^⌊2/2⌋
    assertEquals(1.0, restart.at(3), 0.0); // second part restarts: 0.5^⌊0/2⌋
    assertEquals(0.5, restart.at(5), 0.0); // second part at 2
  }

  @Test
  void warmupAsAJoinEqualsWarmup() {
    Schedule cosine = Schedules.cosine(1.0, 90);
    Schedule joined = Schedules.join(List.of(Schedules.linearDecay(0.0, 10, 1.0), cosine), 10);
    Schedule warm = Schedules.warmup(cosine, 10, 0.0);
    for (long t = 0; t <= 200; t++) assertEquals(warm.at(t), joined.at(t), 0.0, "t=" + t);
  }

  @Test
  void perEpochReadsTheScheduleOfTheEpoch() {
    Schedule s = Schedules.perEpoch(Schedules.stepDecay(0.1, 0.5, 2), 100); // halve every 2 epochs of 100 steps
    assertEquals(0.1, s.at(0), 0.0); // epoch 0
    assertEquals(0.1, s.at(199), 0.0); // epoch 1
    assertEquals(0.05, s.at(200), EPS); // epoch 2: 0.1·0.5
    assertEquals(0.025, s.at(450), EPS); // epoch 4: 0.1·0.5^2
  }
}
