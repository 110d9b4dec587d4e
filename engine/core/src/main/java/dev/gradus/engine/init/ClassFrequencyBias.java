package dev.gradus.engine.init;

import dev.gradus.engine.random.RandomStream;

/**
 * Output biases from the marginal statistics of the training labels (section 8.7.2): the bias is
 * the output function's inverse at the targets' mean, so an untrained network whose weights are
 * small already predicts the label marginals.
 *
 * <ul>
 *   <li>softmax: {@code b_c = log p_c} so that {@code softmax(b)} equals the class frequencies
 *       {@code p_c}; centred (mean subtracted, which softmax ignores);
 *   <li>sigmoid (one-vs-rest): {@code b_c = log(p_c / (1 − p_c))}, the logit of the mean of the
 *       one-hot column, so {@code σ(b_c) = p_c};
 *   <li>identity (regression onto one-hot targets): {@code b_c = p_c}, the mean target.
 * </ul>
 *
 * A class that never occurs would need {@code −∞}; it gets the frequency of half an example
 * instead (additive smoothing of 0.5), so the bias stays finite.
 */
public record ClassFrequencyBias(double[] frequencies, Output output) implements Initializer {
  /** The output function whose inverse at the mean target sets the bias. */
  public enum Output {
    SOFTMAX,
    SIGMOID,
    IDENTITY
  }

  /** Biases for a softmax output. */
  public ClassFrequencyBias(double[] frequencies) {
    this(frequencies, Output.SOFTMAX);
  }

  /** The same frequencies for another output function. */
  public ClassFrequencyBias forOutput(Output o) {
    return new ClassFrequencyBias(frequencies, o);
  }

  public ClassFrequencyBias {
    if (output == null) throw new IllegalArgumentException("class-frequency biases need an output function");
    frequencies = frequencies.clone();
    double sum = 0;
    for (double f : frequencies) {
      if (!(f > 0 && f <= 1)) throw new IllegalArgumentException("class frequencies must be in (0, 1], got " + f);
      sum += f;
    }
    if (Math.abs(sum - 1) > 1e-9) throw new IllegalArgumentException("class frequencies must sum to 1, got " + sum);
  }

  /** The smoothed class frequencies of {@code labels} over {@code classes} classes. */
  public static ClassFrequencyBias fromLabels(int[] labels, int classes) {
    if (labels.length == 0) throw new IllegalArgumentException("no labels to count");
    double[] counts = new double[classes];
    for (int y : labels) {
      if (y < 0 || y >= classes) throw new IllegalArgumentException("label " + y + " outside 0.." + (classes - 1));
      counts[y]++;
    }
    double total = 0;
    for (int c = 0; c < classes; c++) {
      if (counts[c] == 0) counts[c] = 0.5;
      total += counts[c];
    }
    for (int c = 0; c < classes; c++) counts[c] /= total;
    return new ClassFrequencyBias(counts);
  }

  @Override
  public String name() {
    return "class-frequencies";
  }

  @Override
  public double[] sample(long[] shape, int fanIn, int fanOut, RandomStream rng) {
    int n = Initializer.count(shape);
    if (shape.length != 1 || n < frequencies.length) {
      throw new IllegalArgumentException("class-frequency biases need a bias vector of at least " + frequencies.length
          + " units (one per class), got shape " + java.util.Arrays.toString(shape));
    }
    double[] b = new double[n];
    switch (output) {
      case SOFTMAX -> {
        double mean = 0;
        for (double f : frequencies) mean += Math.log(f);
        mean /= frequencies.length;
        for (int c = 0; c < frequencies.length; c++) b[c] = Math.log(frequencies[c]) - mean;
      }
      case SIGMOID -> {
        for (int c = 0; c < frequencies.length; c++) {
          // smoothing keeps p < 1 whenever there are two classes; a lone class would need +∞
          double p = Math.min(frequencies[c], 1 - 1e-7);
          b[c] = Math.log(p / (1 - p));
        }
      }
      case IDENTITY -> System.arraycopy(frequencies, 0, b, 0, frequencies.length);
    }
    // units beyond the classes never win: as unlikely as the rarest class
    double rarest = Double.POSITIVE_INFINITY;
    for (int c = 0; c < frequencies.length; c++) rarest = Math.min(rarest, b[c]);
    for (int c = frequencies.length; c < n; c++) b[c] = rarest;
    return b;
  }
}
