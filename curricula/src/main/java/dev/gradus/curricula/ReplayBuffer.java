package dev.gradus.curricula;

import dev.gradus.engine.curriculum.Curriculum;
import dev.gradus.engine.curriculum.Difficulty;
import dev.gradus.engine.curriculum.EpochContext;
import dev.gradus.engine.curriculum.EpochPlan;
import dev.gradus.engine.random.RandomStream;
import java.util.Map;

/**
 * Streaming data with a replay buffer of every past example (experience replay, Lin 1992; as a
 * remedy for catastrophic forgetting in continual learning, e.g. Rolnick et al. 2019): the
 * difficulty scores are chunk indices {@code 0..C−1} in order of arrival; epoch {@code e}
 * (1-based) sees chunk {@code c = min(C−1, ⌊(e−1)/epochsPerChunk⌋)} in full plus
 * {@code ⌈replayShare·|chunk c|⌉} rows drawn uniformly, with replacement, from all earlier chunks
 * (none for chunk 0), shuffled together. It is the data-order view of a curriculum whose later
 * data never stops the model from rehearsing the earlier.
 *
 * <p>Metrics: {@code chunk}, {@code replayed} (rows drawn from the buffer), {@code share},
 * {@code meanDifficulty}.
 */
public final class ReplayBuffer implements Curriculum {
  private final Plans.CachedScores scores;
  private final int epochsPerChunk;
  private final double replayShare;
  private int[][] chunks;

  public ReplayBuffer(Difficulty arrival, int epochsPerChunk, double replayShare) {
    this.scores = new Plans.CachedScores(arrival);
    this.epochsPerChunk = Plans.positive("epochsPerChunk", epochsPerChunk);
    if (!(replayShare >= 0) || Double.isInfinite(replayShare)) {
      throw new IllegalArgumentException("replayShare must be finite and >= 0, got " + replayShare);
    }
    this.replayShare = replayShare;
  }

  /** The rows replayed beside a chunk of {@code chunkSize} rows: {@code ⌈replayShare·chunkSize⌉}. */
  public int replayCount(int chunkSize) {
    double x = replayShare * chunkSize;
    double r = Math.rint(x);
    return Math.abs(x - r) < 1e-9 ? (int) r : (int) Math.ceil(x);
  }

  @Override
  public EpochPlan plan(EpochContext c) {
    int n = c.train().size();
    if (scores.refresh(c.train()) || chunks == null) {
      chunks = Plans.groupsByInteger(scores.scores(), 0, "chunks", scores.difficulty().describe());
    }
    int chunk = Math.min(chunks.length - 1, (c.epoch() - 1) / epochsPerChunk);
    int[] current = chunks[chunk];
    int earlier = 0;
    for (int i = 0; i < chunk; i++) earlier += chunks[i].length;
    int replay = chunk == 0 ? 0 : replayCount(current.length);
    RandomStream rng = c.random();
    int[] rows = new int[current.length + replay];
    System.arraycopy(current, 0, rows, 0, current.length);
    for (int i = 0; i < replay; i++) {
      int j = rng.nextInt(earlier);
      int ch = 0;
      while (j >= chunks[ch].length) j -= chunks[ch++].length;
      rows[current.length + i] = chunks[ch][j];
    }
    rows = Plans.shuffle(rows, rng);
    Map<String, Double> m = Plans.metrics(rows, scores.scores(), n);
    m.put("chunk", (double) chunk);
    m.put("replayed", (double) replay);
    return new EpochPlan(rows, null, m);
  }

  @Override
  public String describe() {
    return "replayBuffer(" + scores.difficulty().describe() + ", epochsPerChunk=" + epochsPerChunk + ", replayShare=" + replayShare + ")";
  }

  @Override
  public String toString() {
    return describe();
  }
}
