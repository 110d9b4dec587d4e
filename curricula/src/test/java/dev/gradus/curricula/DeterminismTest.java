package dev.gradus.curricula;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.gradus.engine.curriculum.Curriculum;
import dev.gradus.engine.curriculum.EpochPlan;
import dev.gradus.engine.data.Dataset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Every strategy plans the same epochs under the same seed, and others under another seed. */
class DeterminismTest {
  private final int n = 120;

  private Dataset data() {
    double[] d = Fixtures.scrambled(n);
    double[] level = new double[n];
    double[] chunk = new double[n];
    for (int i = 0; i < n; i++) {
      level[i] = 1 + i % 3;
      chunk[i] = i * 3 / n;
    }
    Map<String, double[]> m = new LinkedHashMap<>();
    m.put("d", d);
    m.put("level", level);
    m.put("chunk", chunk);
    return Fixtures.data(n, m);
  }

  private final IntFunction<double[]> losses = e -> {
    double[] l = new double[n];
    for (int i = 0; i < n; i++) l[i] = ((i * 7919L + e * 31L) % 101) / 50.0;
    return l;
  };

  private Map<String, Supplier<Curriculum>> strategies() {
    Map<String, Supplier<Curriculum>> s = new LinkedHashMap<>();
    s.put("paced easy", () -> new Paced(Difficulties.metadata("d"), Pacings.linear(0.2, 3), Paced.Order.EASY_FIRST));
    s.put("paced hard", () -> new Paced(Difficulties.metadata("d"), Pacings.exponential(0.1, 2, 1), Paced.Order.HARD_FIRST));
    s.put("paced random", () -> new Paced(Difficulties.metadata("d"), Pacings.competenceSqrt(0.2, 3), Paced.Order.RANDOM));
    s.put("paced random scores", () -> new Paced(Difficulties.random(3), Pacings.geometric(0.2, 3), Paced.Order.EASY_FIRST));
    s.put("baby steps", () -> new BabySteps(Difficulties.metadata("d"), 4, 1));
    s.put("switch", () -> new SwitchAt(Difficulties.metadata("level"), 2));
    for (StochasticMixing.Mode mode : StochasticMixing.Mode.values()) {
      s.put("mixing " + mode, () -> new StochasticMixing(Difficulties.metadata("level"), t -> 1 + t, mode, 50));
    }
    s.put("reweighting", () -> new Reweighting(Difficulties.metadata("d"), Pacings.step(0.3, 0.3, 1), 0.1));
    s.put("self-paced", () -> new SelfPaced(t -> 0.5 + 0.5 * t));
    s.put("teacher-student", () -> new TeacherStudent(Difficulties.metadata("level"), 2, 0.5, 30));
    s.put("replay", () -> new ReplayBuffer(Difficulties.metadata("chunk"), 1, 0.5));
    return s;
  }

  @Test
  void sameSeedSamePlansOtherSeedOtherOrders() {
    Dataset d = data();
    strategies().forEach((name, make) -> {
      List<EpochPlan> a = Fixtures.run(make.get(), d, 5, 11, losses);
      List<EpochPlan> b = Fixtures.run(make.get(), d, 5, 11, losses);
      List<EpochPlan> other = Fixtures.run(make.get(), d, 5, 12, losses);
      boolean differs = false;
      for (int e = 0; e < 5; e++) {
        assertArrayEquals(a.get(e).order(), b.get(e).order(), name + " epoch " + (e + 1));
        assertArrayEquals(a.get(e).weights(), b.get(e).weights(), name + " weights, epoch " + (e + 1));
        assertEquals(a.get(e).metrics(), b.get(e).metrics(), name + " metrics, epoch " + (e + 1));
        differs |= !Arrays.equals(a.get(e).order(), other.get(e).order());
        double share = a.get(e).metrics().get("share");
        assertFalse(!(share > 0 && share <= 1), name + " share " + share);
        assertFalse(Double.isNaN(a.get(e).metrics().get("meanDifficulty")), name);
      }
      assertFalse(!differs, name + ": another seed should shuffle differently");
    });
  }

  @Test
  void scoresAreComputedOnceAndCached() {
    Dataset d = data();
    int[] calls = {0};
    dev.gradus.engine.curriculum.Difficulty counting = new dev.gradus.engine.curriculum.Difficulty() {
      @Override
      public double[] scores(Dataset train) {
        calls[0]++;
        return train.metadata("d").clone();
      }

      @Override
      public String describe() {
        return "counting";
      }
    };
    Fixtures.run(new Paced(counting, Pacings.linear(0.2, 3), Paced.Order.EASY_FIRST), d, 5, 1);
    assertEquals(1, calls[0]);
    Fixtures.run(new BabySteps(counting, 3, 1), d, 5, 1);
    assertEquals(2, calls[0]);
  }
}
