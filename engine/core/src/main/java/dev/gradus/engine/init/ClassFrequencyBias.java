package dev.gradus.engine.init;

import dev.gradus.engine.random.RandomStream;

/**
 * Output biases from the marginal statistics of the training labels (section 8.4): for a
 * softmax output, {@code b_c = log p_c} so that {@code softmax(b)} equals the class frequencies
 * {@code p_c}, and an untrained network already predicts the label marginals. The log is
 * centred (mean subtracted; softmax does not change). A class that never occurs would need
 * {@code −∞}; it gets the frequency of half an example instead (additive smoothing of 0.5), so
 * the bias stays finite.
 */
public record ClassFrequencyBias(double[] frequencies) implements Initializer {
  public ClassFrequencyBias {
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
    double mean = 0;
    for (double f : frequencies) mean += Math.log(f);
    mean /= frequencies.length;
    double[] b = new double[n];
    for (int c = 0; c < frequencies.length; c++) b[c] = Math.log(frequencies[c]) - mean;
    // units beyond the classes never win: as unlikely as the rarest class
    double rarest = Double.POSITIVE_INFINITY;
    for (int c = 0; c < frequencies.length; c++) rarest = Math.min(rarest, b[c]);
    for (int c = frequencies.length; c < n; c++) b[c] = rarest;
    return b;
  }
}
