package dev.gradus.engine.checkpoint;

import dev.gradus.engine.train.EpochMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A folder of checkpoints, {@code stage-000-phase-001-epoch-000012.ckpt} (names sort in the order
 * the run made them), written atomically: to a temporary file, forced to disk, then renamed, so
 * a killed process leaves whole files only. Retention: the last {@code keepLast} and, when
 * {@code keepBest}, the best by {@code bestMetric} among those of the newest checkpoint's stage
 * (a pre-training stage's model is not comparable with the next stage's); every other
 * checkpoint is deleted after each save.
 */
public final class CheckpointStore implements CheckpointSink {
  private static final Pattern NAME = Pattern.compile("stage-\\d{3}-phase-\\d{3}-epoch-\\d{6}\\.ckpt");

  private final Path dir;
  private final int everyEpochs;
  private final int keepLast;
  private final boolean keepBest;
  private final String bestMetric;
  /** Per kept file: its stage index and metric value (NaN when it has none). */
  private final TreeMap<String, double[]> known = new TreeMap<>();

  /**
   * @param everyEpochs save after every {@code everyEpochs}-th epoch of a stage (&gt;= 1)
   * @param keepLast how many of the newest checkpoints to keep (&gt;= 1)
   * @param bestMetric what "best" means when {@code keepBest} ({@code validation.loss}, ...)
   */
  public CheckpointStore(Path dir, int everyEpochs, int keepLast, boolean keepBest, String bestMetric) {
    if (everyEpochs < 1) throw new IllegalArgumentException("checkpoints every " + everyEpochs + " epochs; need >= 1");
    if (keepLast < 1) throw new IllegalArgumentException("keeping the last " + keepLast + " checkpoints; need >= 1");
    if (keepBest) {
      if (bestMetric == null) throw new IllegalArgumentException("keeping the best checkpoint needs a metric");
      EpochMetrics.checkMetricName(bestMetric);
    }
    this.dir = dir;
    this.everyEpochs = everyEpochs;
    this.keepLast = keepLast;
    this.keepBest = keepBest;
    this.bestMetric = bestMetric;
    // what an earlier process left, so retention continues across a resume
    for (Path f : files()) {
      try {
        remember(f.getFileName().toString(), read(f));
      } catch (IOException e) {
        // unreadable: never chosen as the best, removed by retention once newer ones exist
        known.put(f.getFileName().toString(), new double[] {-1, Double.NaN});
      }
    }
  }

  public Path dir() {
    return dir;
  }

  /** The file name of {@code c}. */
  public static String fileName(Checkpoint c) {
    return String.format("stage-%03d-phase-%03d-epoch-%06d.ckpt", c.stageIndex(), c.phaseIndex(), c.epoch());
  }

  @Override
  public boolean wantsEpoch(int epoch) {
    return epoch % everyEpochs == 0;
  }

  @Override
  public synchronized void save(Checkpoint c) {
    String name = fileName(c);
    try {
      Files.createDirectories(dir);
      writeAtomically(dir.resolve(name), c.toBytes());
      remember(name, c);
      retain();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint " + dir.resolve(name) + ": " + e.getMessage(), e);
    }
  }

  private void remember(String name, Checkpoint c) {
    EpochMetrics last = c.lastEpoch();
    double v = Double.NaN;
    // only a checkpoint right after an epoch of its own stage has a value to compare
    if (bestMetric != null && last != null && !c.atPhaseStart() && last.stage().equals(c.stage())) v = last.metric(bestMetric);
    known.put(name, new double[] {c.stageIndex(), v});
  }

  /** The kept checkpoints' files, oldest first. */
  public List<Path> files() {
    if (!Files.isDirectory(dir)) return List.of();
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /** The file of the best checkpoint kept, or null (none has a value, or {@code keepBest} is off). */
  public Path best() {
    if (!keepBest || known.isEmpty()) return null;
    double stage = known.lastEntry().getValue()[0];
    boolean higher = EpochMetrics.higherIsBetter(bestMetric);
    String best = null;
    double bestValue = Double.NaN;
    for (Map.Entry<String, double[]> e : known.entrySet()) {
      double v = e.getValue()[1];
      if (e.getValue()[0] != stage || Double.isNaN(v)) continue;
      if (best == null || (higher ? v > bestValue : v < bestValue)) {
        best = e.getKey();
        bestValue = v;
      }
    }
    return best == null ? null : dir.resolve(best);
  }

  private void retain() throws IOException {
    List<String> names = new ArrayList<>(known.keySet());
    List<String> keep = new ArrayList<>(names.subList(Math.max(0, names.size() - keepLast), names.size()));
    Path best = best();
    if (best != null) keep.add(best.getFileName().toString());
    for (String n : names) {
      if (keep.contains(n)) continue;
      Files.deleteIfExists(dir.resolve(n));
      known.remove(n);
    }
  }

  /** A checkpoint read back, with the newer files that could not be read (and why). */
  public record Loaded(Path file, Checkpoint checkpoint, List<String> skipped) {}

  /** The newest checkpoint that reads back whole, or null when there is none. */
  public Loaded latest() {
    List<Path> files = new ArrayList<>(files());
    List<String> skipped = new ArrayList<>();
    for (int i = files.size() - 1; i >= 0; i--) {
      try {
        return new Loaded(files.get(i), read(files.get(i)), List.copyOf(skipped));
      } catch (IOException e) {
        skipped.add(e.getMessage());
      }
    }
    return null;
  }

  /** Reads one checkpoint file; a clear {@link CorruptCheckpointException} for a damaged one. */
  public static Checkpoint read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) throw new IOException("no checkpoint file at " + file);
    return Checkpoint.fromBytes(Files.readAllBytes(file), file.toString());
  }

  /** Writes {@code bytes} to a temporary file beside {@code target}, forces them to disk, then renames it over {@code target}. */
  public static void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) ch.write(buf);
      ch.force(true);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.deleteIfExists(tmp);
      throw new IOException("cannot write " + target + " atomically on this file system", e);
    }
  }
}
