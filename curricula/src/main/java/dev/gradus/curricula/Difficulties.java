package dev.gradus.curricula;

import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.curriculum.Difficulty;
import dev.gradus.engine.data.Dataset;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.Tensor;
import dev.gradus.engine.train.Loss;
import java.util.Arrays;
import java.util.Objects;

/**
 * Difficulty measures for curricula (Deep Learning §8.7.5): one score per training example,
 * higher meaning harder. Bengio et al. 2009 ("Curriculum learning") ranked by what generated the
 * data (the Shapeset family, the vocabulary size); Hacohen &amp; Weinshall 2019 ranked by a
 * pre-trained teacher's confidence ("transfer scoring"), and a random ranking is the baseline
 * every curriculum must beat. Each factory here gives one of those.
 *
 * <p>Scores are computed once per training set, before training; a curriculum caches them.
 */
public final class Difficulties {
  private Difficulties() {}

  /**
   * The per-example metadata {@code key} of the training set (e.g. Shapeset's {@code size}, or
   * {@link Dataset#SOURCE} after {@link Dataset#concat}), as generated with the data.
   */
  public static Difficulty metadata(String key) {
    Objects.requireNonNull(key, "key");
    return new Named("metadata(" + key + ")") {
      @Override
      public double[] scores(Dataset train) {
        if (!train.metadataKeys().contains(key)) {
          throw new IllegalArgumentException("difficulty metadata key '" + key + "' is not in data set '" + train.name()
              + "'; its metadata keys are " + train.metadataKeys());
        }
        return train.metadata(key).clone();
      }
    };
  }

  /** A score computed from each example alone; {@code name} is what records show. */
  public static Difficulty of(String name, ExampleScore score) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(score, "score");
    return new Named(name) {
      @Override
      public double[] scores(Dataset train) {
        int fc = train.featureCount();
        float[] f = train.features();
        int[] y = train.labels();
        double[] out = new double[train.size()];
        for (int i = 0; i < out.length; i++) {
          out[i] = finite(name, i, score.score(Arrays.copyOfRange(f, i * fc, (i + 1) * fc), y[i]));
        }
        return out;
      }
    };
  }

  /**
   * Precomputed scores, one per row of the training set the curriculum will see (after the
   * validation hold-out: the trainer plans over {@code EpochContext.train()}).
   */
  public static Difficulty scores(String name, double[] perRow) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(perRow, "perRow");
    double[] copy = perRow.clone();
    for (int i = 0; i < copy.length; i++) finite(name, i, copy[i]);
    return new Named(name) {
      @Override
      public double[] scores(Dataset train) {
        if (copy.length != train.size()) {
          throw new IllegalArgumentException("difficulty '" + name + "' has " + copy.length + " scores (perRow) but data set '"
              + train.name() + "' has " + train.size() + " rows");
        }
        return copy.clone();
      }
    };
  }

  /**
   * Uniform scores in [0, 1) from a {@link RandomStream} seeded by {@code seed}: a random but
   * fixed ranking, the control of Bengio et al. 2009 and Hacohen &amp; Weinshall 2019 that
   * separates the effect of ordering by difficulty from that of pacing alone.
   */
  public static Difficulty random(long seed) {
    return new Named("random(seed=" + seed + ")") {
      @Override
      public double[] scores(Dataset train) {
        RandomStream rng = new RandomStream("difficulty.random", seed);
        double[] out = new double[train.size()];
        for (int i = 0; i < out.length; i++) out[i] = rng.nextDouble();
        return out;
      }
    };
  }

  /**
   * Transfer scoring (Hacohen &amp; Weinshall 2019): each example's loss under a teacher model
   * (e.g. a recorded run's final parameters), computed with {@link Loss#perExample} in evaluation
   * mode ({@link Tape#inference}). Examples the teacher already fits are easy.
   */
  public static Difficulty teacherLosses(Backend backend, Model model, ParameterSet params, Loss loss) {
    Objects.requireNonNull(loss, "loss");
    return new Teacher("teacherLosses(" + loss.id() + ")", backend, model, params) {
      @Override
      double[] fromOutputs(Tensor outputs, Tensor labels, int[] y, int k) {
        return loss.perExample(backend, outputs, labels).toDoubles();
      }
    };
  }

  /**
   * The teacher's negated margin {@code −(z_y − max_{k≠y} z_k)} on its outputs {@code z},
   * computed in evaluation mode: examples the teacher classifies with a large margin are easy,
   * small and negative margins (misclassified) are hard. Needs at least two outputs.
   */
  public static Difficulty teacherMargins(Backend backend, Model model, ParameterSet params) {
    return new Teacher("teacherMargins", backend, model, params) {
      @Override
      double[] fromOutputs(Tensor outputs, Tensor labels, int[] y, int k) {
        if (k < 2) throw new IllegalArgumentException("teacherMargins needs a model with at least 2 outputs, got " + k);
        double[] z = outputs.toDoubles();
        double[] out = new double[y.length];
        for (int i = 0; i < y.length; i++) {
          double best = Double.NEGATIVE_INFINITY;
          for (int j = 0; j < k; j++) if (j != y[i]) best = Math.max(best, z[i * k + j]);
          out[i] = -(z[i * k + y[i]] - best);
        }
        return out;
      }
    };
  }

  // ---------------------------------------------------------------- helpers

  private static double finite(String name, int row, double v) {
    if (!Double.isFinite(v)) throw new IllegalArgumentException("difficulty '" + name + "' gave " + v + " for row " + row);
    return v;
  }

  private abstract static class Named implements Difficulty {
    private final String name;

    Named(String name) {
      this.name = name;
    }

    @Override
    public String describe() {
      return name;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** Forward passes of a teacher in evaluation batches, scores computed from its outputs. */
  private abstract static class Teacher extends Named {
    private static final int BATCH = 256;
    final Backend backend;
    final Model model;
    final ParameterSet params;

    Teacher(String name, Backend backend, Model model, ParameterSet params) {
      super(name);
      this.backend = Objects.requireNonNull(backend, "backend");
      this.model = Objects.requireNonNull(model, "model");
      this.params = Objects.requireNonNull(params, "params");
    }

    abstract double[] fromOutputs(Tensor outputs, Tensor labels, int[] y, int k);

    @Override
    public double[] scores(Dataset train) {
      if (model.inputSize() != train.featureCount()) {
        throw new IllegalArgumentException("teacher model takes " + model.inputSize() + " inputs but data set '" + train.name()
            + "' has " + train.featureCount() + " features per example");
      }
      DType dtype = params.all().stream().map(Parameter::value).map(Tensor::dtype).findFirst().orElse(DType.FLOAT32);
      double[] out = new double[train.size()];
      for (int start = 0; start < out.length; start += BATCH) {
        int end = Math.min(out.length, start + BATCH);
        int[] rows = new int[end - start];
        for (int i = 0; i < rows.length; i++) rows[i] = start + i;
        try (MemoryScope scope = backend.openScope()) {
          Tensor x = backend.fromFloats(train.gatherFeatures(rows), rows.length, train.featureCount());
          if (dtype != DType.FLOAT32) x = backend.cast(x, dtype);
          int[] y = train.gatherLabels(rows);
          Tensor labels = backend.fromInts(y);
          Tape tape = Tape.inference(backend);
          Tensor z = model.forward(tape, params, tape.constant(x, "input")).value();
          double[] s = fromOutputs(z, labels, y, (int) z.shape()[1]);
          for (int i = 0; i < s.length; i++) out[start + i] = finite(describe(), start + i, s[i]);
        }
      }
      return out;
    }
  }
}
