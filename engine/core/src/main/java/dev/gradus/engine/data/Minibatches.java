package dev.gradus.engine.data;

import dev.gradus.engine.random.RandomStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The minibatches of one epoch: row indices of the data set, in a fresh random order each epoch
 * when shuffling (section 8.1.3: minibatches must be drawn at random), the last batch smaller
 * when the size does not divide evenly (as PyTorch's DataLoader without drop_last).
 */
public final class Minibatches {
  private Minibatches() {}

  public static List<int[]> epoch(int size, int batchSize, boolean shuffle, RandomStream rng) {
    if (batchSize <= 0) throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
    return chunks(shuffle ? rng.permutation(size) : identity(size), batchSize);
  }

  /** {@code order} cut into consecutive minibatches of {@code batchSize}, the last one smaller. */
  public static List<int[]> chunks(int[] order, int batchSize) {
    if (batchSize <= 0) throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
    int size = order.length;
    List<int[]> batches = new ArrayList<>((size + batchSize - 1) / batchSize);
    for (int start = 0; start < size; start += batchSize) {
      batches.add(Arrays.copyOfRange(order, start, Math.min(size, start + batchSize)));
    }
    return batches;
  }

  private static int[] identity(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) a[i] = i;
    return a;
  }
}
