package dev.gradus.curricula;

import dev.gradus.engine.curriculum.Curriculum;
import dev.gradus.engine.curriculum.EpochContext;
import dev.gradus.engine.curriculum.EpochPlan;
import dev.gradus.engine.schedule.Schedule;
import java.util.Map;
import java.util.Objects;

/**
 * Self-paced learning (Kumar, Packer &amp; Koller 2010): the learner itself decides what is easy.
 * Each epoch trains on exactly the rows whose loss under the current parameters
 * ({@link EpochContext#exampleLosses()}) is strictly below {@code λ(t)}: the closed-form minimiser
 * of the paper's objective {@code Σ v_i·ℓ_i − λ·Σ v_i} over binary {@code v}. λ grows (the paper
 * multiplies it by a constant each round) so that harder examples are admitted as the model
 * improves.
 *
 * <p>If no loss is below λ the selected set would be empty and an epoch needs at least one row:
 * then the single lowest-loss row (lowest index among ties) is used. Metrics: {@code lambda},
 * {@code share}, {@code meanDifficulty} (the mean current loss of the selected rows).
 */
public final class SelfPaced implements Curriculum {
  private final Schedule lambda;

  public SelfPaced(Schedule lambda) {
    this.lambda = Objects.requireNonNull(lambda, "lambda");
  }

  /** The rows {@code i} with {@code losses[i] < lambda}, in index order; the argmin if none. */
  public static int[] select(double[] losses, double lambda) {
    int k = 0;
    for (double l : losses) if (l < lambda) k++;
    if (k == 0) {
      int best = 0;
      for (int i = 1; i < losses.length; i++) if (losses[i] < losses[best]) best = i;
      return new int[] {best};
    }
    int[] out = new int[k];
    int j = 0;
    for (int i = 0; i < losses.length; i++) if (losses[i] < lambda) out[j++] = i;
    return out;
  }

  @Override
  public EpochPlan plan(EpochContext c) {
    int n = c.train().size();
    double lam = lambda.at(Plans.epochIndex(c));
    if (Double.isNaN(lam)) throw new IllegalArgumentException("lambda schedule " + lambda + " gave NaN at epoch " + c.epoch());
    double[] losses = c.exampleLosses();
    if (losses.length != n) throw new IllegalStateException("exampleLosses has " + losses.length + " values for " + n + " training rows");
    int[] rows = Plans.shuffle(select(losses, lam), c.random());
    Map<String, Double> m = Plans.metrics(rows, losses, n);
    m.put("lambda", lam);
    return new EpochPlan(rows, null, m);
  }

  @Override
  public String describe() {
    return "selfPaced(lambda=" + lambda + ")";
  }

  @Override
  public String toString() {
    return describe();
  }
}
