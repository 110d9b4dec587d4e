package dev.gradus.engine.random;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One root seed split into named streams. A stream's seed depends only on the root seed and
 * its name, so adding a consumer (say, dropout) never shifts the draws of another (init, data
 * order).
 */
public final class RandomStreams {
  /** Well-known stream names; components may use others. */
  public static final String INIT = "init";
  public static final String DATA_ORDER = "data-order";
  public static final String DATA = "data";
  /** Dropout masks (and any other randomness layers draw while training). */
  public static final String DROPOUT = "dropout";

  private final long rootSeed;
  private final Map<String, RandomStream> streams = new LinkedHashMap<>();

  public RandomStreams(long rootSeed) {
    this.rootSeed = rootSeed;
  }

  public long rootSeed() {
    return rootSeed;
  }

  /** The stream of this name, created on first use and shared afterwards. */
  public synchronized RandomStream stream(String name) {
    return streams.computeIfAbsent(name, n -> new RandomStream(n, seedFor(rootSeed, n)));
  }

  /**
   * The state of every stream created so far, by name (see {@link RandomStream#state()}): what a
   * checkpoint keeps so that a resumed run draws exactly what the interrupted one would have.
   */
  public synchronized Map<String, long[]> states() {
    Map<String, long[]> out = new LinkedHashMap<>();
    streams.forEach((name, s) -> out.put(name, s.state()));
    return out;
  }

  /**
   * Sets each named stream to a state from {@link #states()}, creating it first when needed.
   * Streams not named keep their state: a stream first used after the checkpoint starts from its
   * seed, as it did in the interrupted run.
   */
  public synchronized void restore(Map<String, long[]> states) {
    states.forEach((name, state) -> stream(name).restore(state));
  }

  /** A fresh stream that does not share state with {@link #stream(String)} of the same name. */
  public RandomStream fresh(String name) {
    return new RandomStream(name, seedFor(rootSeed, name));
  }

  /** The seed of stream {@code name} under {@code rootSeed}: FNV-1a of the name mixed with the root. */
  public static long seedFor(long rootSeed, String name) {
    long h = 0xcbf29ce484222325L;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      h ^= (b & 0xff);
      h *= 0x100000001b3L;
    }
    long z = rootSeed * 0x9E3779B97F4A7C15L ^ h;
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
