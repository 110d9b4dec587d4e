package dev.gradus.engine.train;

import dev.gradus.engine.checkpoint.Stateful;
import dev.gradus.engine.optim.StateDict;
import java.util.Map;

/** The stopping rules behind {@link StoppingRule}'s factories. */
final class StoppingRules {
  private StoppingRules() {}

  static String epochs(int n) {
    return n + (n == 1 ? " epoch" : " epochs");
  }

  static int positive(String what, long n) {
    if (n <= 0) throw new IllegalArgumentException(what + " must be > 0, got " + n);
    return (int) Math.min(n, Integer.MAX_VALUE);
  }

  record Epochs(int n) implements StoppingRule {
    Epochs {
      positive("epochs", n);
    }

    @Override
    public boolean stopAfterEpoch(EpochMetrics m, int epochInPhase) {
      return epochInPhase >= n;
    }

    @Override
    public String describe() {
      return epochs(n);
    }
  }

  record Steps(long n) implements StoppingRule {
    Steps {
      positive("steps", n);
    }

    @Override
    public boolean stopAfterEpoch(EpochMetrics m, int epochInPhase) {
      return false;
    }

    @Override
    public boolean stopAfterStep(long stepInPhase) {
      return stepInPhase >= n;
    }

    @Override
    public String describe() {
      return n + " steps";
    }
  }

  static final class Target implements StoppingRule, Stateful {
    private final String metric;
    private final double value;
    private final int maxEpochs;
    private boolean reached;
    private boolean checked;

    Target(String metric, double value, int maxEpochs) {
      EpochMetrics.checkMetricName(metric);
      positive("maxEpochs", maxEpochs);
      if (!Double.isFinite(value)) throw new IllegalArgumentException("target value must be finite, got " + value);
      this.metric = metric;
      this.value = value;
      this.maxEpochs = maxEpochs;
    }

    @Override
    public boolean stopAfterEpoch(EpochMetrics m, int epochInPhase) {
      double v = m.metric(metric);
      checked = true;
      reached = EpochMetrics.higherIsBetter(metric) ? v >= value : v <= value;
      return reached || epochInPhase >= maxEpochs;
    }

    @Override
    public String metric() {
      return metric;
    }

    @Override
    public String describe() {
      String goal = metric + (EpochMetrics.higherIsBetter(metric) ? " >= " : " <= ") + value;
      if (!checked) return goal + " (at most " + epochs(maxEpochs) + ")";
      return (reached ? "reached " : "did not reach ") + goal + (reached ? "" : " within " + epochs(maxEpochs));
    }

    @Override
    public StateDict saveState() {
      return new StateDict(Map.of(), Map.of(), Map.of(), Map.of("target", new long[] {reached ? 1 : 0, checked ? 1 : 0}));
    }

    @Override
    public void restoreState(StateDict state) {
      long[] w = state.words("target");
      if (w.length != 2) throw new IllegalArgumentException("a target rule's state has 2 words, got " + w.length);
      reached = w[0] != 0;
      checked = w[1] != 0;
    }
  }

  static final class Plateau implements StoppingRule, Stateful {
    private final String metric;
    private final int patience;
    private final double minDelta;
    private final int maxEpochs;
    private final boolean restoreBest;
    private double best = Double.NaN;
    private int sinceBest;
    private boolean capped;

    Plateau(String metric, int patience, double minDelta, int maxEpochs, boolean restoreBest) {
      EpochMetrics.checkMetricName(metric);
      positive("patience", patience);
      positive("maxEpochs", maxEpochs);
      if (!(minDelta >= 0)) throw new IllegalArgumentException("minDelta must be >= 0, got " + minDelta);
      this.metric = metric;
      this.patience = patience;
      this.minDelta = minDelta;
      this.maxEpochs = maxEpochs;
      this.restoreBest = restoreBest;
    }

    private boolean improves(double v) {
      if (Double.isNaN(best)) return true;
      return EpochMetrics.higherIsBetter(metric) ? v > best + minDelta : v < best - minDelta;
    }

    @Override
    public boolean isBest(EpochMetrics m) {
      return m.metric(metric) == best && sinceBest == 0;
    }

    @Override
    public boolean stopAfterEpoch(EpochMetrics m, int epochInPhase) {
      double v = m.metric(metric);
      if (Double.isNaN(v)) throw new IllegalStateException(metric + " is NaN at epoch " + m.epoch() + "; is there a validation split?");
      if (improves(v)) {
        best = v;
        sinceBest = 0;
      } else {
        sinceBest++;
      }
      capped = epochInPhase >= maxEpochs;
      return sinceBest >= patience || capped;
    }

    @Override
    public String metric() {
      return metric;
    }

    @Override
    public boolean restoresBest() {
      return restoreBest;
    }

    @Override
    public StateDict saveState() {
      return new StateDict(Map.of(), Map.of(), Map.of(),
          Map.of("plateau", new long[] {Double.doubleToRawLongBits(best), sinceBest, capped ? 1 : 0}));
    }

    @Override
    public void restoreState(StateDict state) {
      long[] w = state.words("plateau");
      if (w.length != 3) throw new IllegalArgumentException("a plateau rule's state has 3 words, got " + w.length);
      best = Double.longBitsToDouble(w[0]);
      sinceBest = Math.toIntExact(w[1]);
      capped = w[2] != 0;
    }

    @Override
    public String describe() {
      String what = restoreBest ? "early stopping: " : "plateau: ";
      if (sinceBest >= patience) {
        return what + metric + " did not improve by more than " + minDelta + " for " + epochs(patience) + " (best " + best + ")";
      }
      if (capped) return what + "reached the cap of " + epochs(maxEpochs) + " (best " + metric + " " + best + ")";
      return what + metric + " without improvement by more than " + minDelta + " for " + epochs(patience) + " (at most "
          + epochs(maxEpochs) + ")";
    }
  }
}
