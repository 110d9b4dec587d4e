package dev.gradus.engine.checkpoint;

import dev.gradus.engine.nn.ParameterSnapshot;
import dev.gradus.engine.optim.StateDict;
import dev.gradus.engine.train.EpochMetrics;
import dev.gradus.engine.train.PhaseResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * Everything a run needs to continue exactly where it was: taken at the end of an epoch of a
 * first-order phase (after evaluation, metric-driven schedules, the stopping rule and best-epoch
 * bookkeeping), or at the start of a batch-method phase ({@code atPhaseStart}; the method's own
 * state, e.g. L-BFGS's history, is not kept, so a resumed run replays that phase from its start,
 * which is just as exact).
 *
 * @param stageIndex the stage of a staged run (0 for a plain trainer)
 * @param stage the stage's name (the trainer's {@code config.stage()})
 * @param phaseIndex the phase within the stage
 * @param atPhaseStart taken before the phase's first epoch rather than after epoch {@code epoch}
 * @param epoch epochs finished in the stage
 * @param epochInPhase epochs finished in the phase
 * @param step optimizer steps taken in the stage
 * @param stepInPhase steps taken in the phase
 * @param phaseStopping the stopping rule already decided that the epoch just finished was the phase's last
 * @param parameters every parameter and buffer of the stage's model
 * @param optimizer the phase's optimizer state; null at a phase start
 * @param streams every named random stream's state
 * @param history every epoch so far, of every stage
 * @param phases every finished phase, of every stage
 * @param finishedStages the stages finished before this one
 * @param bestEpoch the phase's best epoch so far (0: none), for stopping rules that restore it
 * @param bestParameters that epoch's parameters and buffers; null when none
 * @param stoppingRule the phase's stopping rule's state when it is {@link Stateful}, else null
 * @param schedules the state words of the phase's metric-driven schedules, in the trainer's order
 * @param curriculum the curriculum's state when it is {@link Stateful}, else null
 */
public record Checkpoint(
    int stageIndex, String stage, int phaseIndex, boolean atPhaseStart,
    int epoch, int epochInPhase, long step, long stepInPhase, boolean phaseStopping,
    ParameterSnapshot parameters, StateDict optimizer, Map<String, long[]> streams,
    List<EpochMetrics> history, List<PhaseResult> phases, List<FinishedStage> finishedStages,
    int bestEpoch, Map<String, double[]> bestParameters, StateDict stoppingRule, List<long[]> schedules, StateDict curriculum) {

  /** What a finished stage of a staged run reported besides its epochs and phases. */
  public record FinishedStage(String name, List<String> trained, List<String> frozen, long steps, double seconds) {
    public FinishedStage {
      trained = List.copyOf(trained);
      frozen = List.copyOf(frozen);
    }
  }

  private static final String MAGIC = "gradus-checkpoint";
  /** Bumped whenever the layout changes; older files are refused with a clear message. */
  public static final int VERSION = 1;

  public Checkpoint {
    if (stage == null || parameters == null || streams == null) throw new IllegalArgumentException("a checkpoint needs its stage, parameters and streams");
    streams = Map.copyOf(streams);
    history = List.copyOf(history);
    phases = List.copyOf(phases);
    finishedStages = List.copyOf(finishedStages);
    schedules = List.copyOf(schedules);
  }

  /** The same checkpoint placed in a staged run: stage {@code index}, after the given earlier stages' epochs and phases. */
  public Checkpoint inRun(int index, List<EpochMetrics> earlierEpochs, List<PhaseResult> earlierPhases, List<FinishedStage> earlierStages) {
    List<EpochMetrics> h = new ArrayList<>(earlierEpochs);
    h.addAll(history);
    List<PhaseResult> p = new ArrayList<>(earlierPhases);
    p.addAll(phases);
    return new Checkpoint(index, stage, phaseIndex, atPhaseStart, epoch, epochInPhase, step, stepInPhase, phaseStopping, parameters,
        optimizer, streams, h, p, earlierStages, bestEpoch, bestParameters, stoppingRule, schedules, curriculum);
  }

  /** The last recorded epoch (of any stage), or null before the first. */
  public EpochMetrics lastEpoch() {
    return history.isEmpty() ? null : history.get(history.size() - 1);
  }

  /** Where the run stood, for messages: "stage 'train', phase 0, after epoch 3". */
  public String describe() {
    return "stage '" + stage + "', phase " + phaseIndex + (atPhaseStart ? ", at its start (epoch " + epoch + ")" : ", after epoch " + epoch);
  }

  // ---- file format: magic, version, body, CRC-32 of everything before it; big-endian ----

  /** The file's bytes. */
  public byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF(MAGIC);
      out.writeInt(VERSION);
      out.writeInt(stageIndex);
      str(out, stage);
      out.writeInt(phaseIndex);
      out.writeBoolean(atPhaseStart);
      out.writeInt(epoch);
      out.writeInt(epochInPhase);
      out.writeLong(step);
      out.writeLong(stepInPhase);
      out.writeBoolean(phaseStopping);
      byte[] p = parameters.toBytes();
      out.writeInt(p.length);
      out.write(p);
      stateDict(out, optimizer);
      out.writeInt(streams.size());
      for (Map.Entry<String, long[]> e : new TreeMap<>(streams).entrySet()) {
        str(out, e.getKey());
        longs(out, e.getValue());
      }
      out.writeInt(history.size());
      for (EpochMetrics m : history) epochMetrics(out, m);
      out.writeInt(phases.size());
      for (PhaseResult r : phases) {
        str(out, r.name());
        out.writeInt(r.epochs());
        out.writeLong(r.steps());
        str(out, r.stopReason());
        out.writeInt(r.restoredEpoch());
        str(out, r.stage());
      }
      out.writeInt(finishedStages.size());
      for (FinishedStage s : finishedStages) {
        str(out, s.name());
        strings(out, s.trained());
        strings(out, s.frozen());
        out.writeLong(s.steps());
        out.writeDouble(s.seconds());
      }
      out.writeInt(bestEpoch);
      out.writeBoolean(bestParameters != null);
      if (bestParameters != null) {
        out.writeInt(bestParameters.size());
        for (Map.Entry<String, double[]> e : bestParameters.entrySet()) {
          str(out, e.getKey());
          doubles(out, e.getValue());
        }
      }
      stateDict(out, stoppingRule);
      out.writeInt(schedules.size());
      for (long[] w : schedules) longs(out, w);
      stateDict(out, curriculum);
      out.flush();
      CRC32 crc = new CRC32();
      crc.update(bytes.toByteArray());
      out.writeLong(crc.getValue());
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory failed", e);
    }
    return bytes.toByteArray();
  }

  /**
   * Reads {@link #toBytes}; {@code name} (the file) appears in errors. A file cut short, with a
   * wrong checksum, or of another version is refused with a {@link CorruptCheckpointException}.
   */
  public static Checkpoint fromBytes(byte[] data, String name) throws CorruptCheckpointException {
    if (data.length < 8) throw new CorruptCheckpointException(name + " is truncated (" + data.length + " bytes)");
    byte[] magic = MAGIC.getBytes(StandardCharsets.UTF_8);
    if (data.length < magic.length + 2 || data[0] != 0 || data[1] != magic.length
        || !Arrays.equals(Arrays.copyOfRange(data, 2, 2 + magic.length), magic)) {
      throw new CorruptCheckpointException(name + " is not a Gradus checkpoint (expected header " + MAGIC + ")");
    }
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
      in.readUTF();
      int version = in.readInt();
      if (version != VERSION) {
        throw new CorruptCheckpointException(name + " is a version " + version + " checkpoint; this Gradus reads version " + VERSION);
      }
      CRC32 crc = new CRC32();
      crc.update(data, 0, data.length - 8);
      long stored = java.nio.ByteBuffer.wrap(data, data.length - 8, 8).getLong();
      if (stored != crc.getValue()) throw new CorruptCheckpointException(name + " is truncated or corrupt (checksum mismatch)");
      int stageIndex = in.readInt();
      String stage = str(in);
      int phaseIndex = in.readInt();
      boolean atPhaseStart = in.readBoolean();
      int epoch = in.readInt();
      int epochInPhase = in.readInt();
      long step = in.readLong();
      long stepInPhase = in.readLong();
      boolean phaseStopping = in.readBoolean();
      byte[] p = new byte[in.readInt()];
      in.readFully(p);
      ParameterSnapshot parameters = ParameterSnapshot.read(new ByteArrayInputStream(p), name + " (parameters)");
      StateDict optimizer = stateDict(in);
      Map<String, long[]> streams = new LinkedHashMap<>();
      for (int i = in.readInt(); i > 0; i--) streams.put(str(in), longs(in));
      List<EpochMetrics> history = new ArrayList<>();
      for (int i = in.readInt(); i > 0; i--) history.add(epochMetrics(in));
      List<PhaseResult> phases = new ArrayList<>();
      for (int i = in.readInt(); i > 0; i--) phases.add(new PhaseResult(str(in), in.readInt(), in.readLong(), str(in), in.readInt(), str(in)));
      List<FinishedStage> stages = new ArrayList<>();
      for (int i = in.readInt(); i > 0; i--) stages.add(new FinishedStage(str(in), strings(in), strings(in), in.readLong(), in.readDouble()));
      int bestEpoch = in.readInt();
      Map<String, double[]> best = null;
      if (in.readBoolean()) {
        best = new LinkedHashMap<>();
        for (int i = in.readInt(); i > 0; i--) best.put(str(in), doubles(in));
      }
      StateDict rule = stateDict(in);
      List<long[]> schedules = new ArrayList<>();
      for (int i = in.readInt(); i > 0; i--) schedules.add(longs(in));
      StateDict curriculum = stateDict(in);
      if (in.available() != 8) throw new CorruptCheckpointException(name + " has " + (in.available() - 8) + " unexpected bytes before its checksum");
      return new Checkpoint(stageIndex, stage, phaseIndex, atPhaseStart, epoch, epochInPhase, step, stepInPhase, phaseStopping, parameters,
          optimizer, streams, history, phases, stages, bestEpoch, best, rule, schedules, curriculum);
    } catch (CorruptCheckpointException e) {
      throw e;
    } catch (EOFException | java.io.UTFDataFormatException e) {
      throw new CorruptCheckpointException(name + " is truncated or corrupt", e);
    } catch (IOException | RuntimeException e) {
      throw new CorruptCheckpointException(name + " is corrupt: " + e.getMessage(), e);
    }
  }

  private static void epochMetrics(DataOutputStream out, EpochMetrics m) throws IOException {
    str(out, m.stage());
    out.writeInt(m.epoch());
    out.writeLong(m.steps());
    out.writeDouble(m.trainLoss());
    out.writeDouble(m.testLoss());
    out.writeDouble(m.testAccuracy());
    out.writeDouble(m.seconds());
    out.writeDouble(m.samplesPerSecond());
    str(out, m.phase());
    out.writeDouble(m.validationLoss());
    out.writeDouble(m.validationAccuracy());
    out.writeInt(m.batchSize());
    // sorted, so that the same history always gives the same bytes
    Map<String, Double> h = new TreeMap<>(m.hyperparameters());
    out.writeInt(h.size());
    for (Map.Entry<String, Double> e : h.entrySet()) {
      str(out, e.getKey());
      out.writeDouble(e.getValue());
    }
  }

  private static EpochMetrics epochMetrics(DataInputStream in) throws IOException {
    String stage = str(in);
    int epoch = in.readInt();
    long steps = in.readLong();
    double trainLoss = in.readDouble(), testLoss = in.readDouble(), testAccuracy = in.readDouble();
    double seconds = in.readDouble(), samplesPerSecond = in.readDouble();
    String phase = str(in);
    double validationLoss = in.readDouble(), validationAccuracy = in.readDouble();
    int batchSize = in.readInt();
    Map<String, Double> h = new LinkedHashMap<>();
    for (int i = in.readInt(); i > 0; i--) h.put(str(in), in.readDouble());
    return new EpochMetrics(stage, epoch, steps, trainLoss, testLoss, testAccuracy, seconds, samplesPerSecond, phase, validationLoss,
        validationAccuracy, batchSize, h);
  }

  private static void stateDict(DataOutputStream out, StateDict d) throws IOException {
    out.writeBoolean(d != null);
    if (d == null) return;
    Map<String, double[]> tensors = new TreeMap<>(d.tensors());
    out.writeInt(tensors.size());
    for (Map.Entry<String, double[]> e : tensors.entrySet()) {
      str(out, e.getKey());
      longs(out, d.shapes().get(e.getKey()));
      doubles(out, e.getValue());
    }
    Map<String, Double> scalars = new TreeMap<>(d.scalars());
    out.writeInt(scalars.size());
    for (Map.Entry<String, Double> e : scalars.entrySet()) {
      str(out, e.getKey());
      out.writeDouble(e.getValue());
    }
    Map<String, long[]> words = new TreeMap<>(d.words());
    out.writeInt(words.size());
    for (Map.Entry<String, long[]> e : words.entrySet()) {
      str(out, e.getKey());
      longs(out, e.getValue());
    }
  }

  private static StateDict stateDict(DataInputStream in) throws IOException {
    if (!in.readBoolean()) return null;
    Map<String, double[]> tensors = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (int i = in.readInt(); i > 0; i--) {
      String k = str(in);
      shapes.put(k, longs(in));
      tensors.put(k, doubles(in));
    }
    Map<String, Double> scalars = new LinkedHashMap<>();
    for (int i = in.readInt(); i > 0; i--) scalars.put(str(in), in.readDouble());
    Map<String, long[]> words = new LinkedHashMap<>();
    for (int i = in.readInt(); i > 0; i--) words.put(str(in), longs(in));
    return new StateDict(tensors, shapes, scalars, words);
  }

  private static void str(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String str(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > in.available()) throw new EOFException("string of " + n + " bytes");
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static void strings(DataOutputStream out, List<String> s) throws IOException {
    out.writeInt(s.size());
    for (String x : s) str(out, x);
  }

  private static List<String> strings(DataInputStream in) throws IOException {
    List<String> out = new ArrayList<>();
    for (int i = in.readInt(); i > 0; i--) out.add(str(in));
    return out;
  }

  private static void longs(DataOutputStream out, long[] v) throws IOException {
    out.writeInt(v.length);
    for (long x : v) out.writeLong(x);
  }

  private static long[] longs(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || (long) n * 8 > in.available()) throw new EOFException("array of " + n + " words");
    long[] v = new long[n];
    for (int i = 0; i < n; i++) v[i] = in.readLong();
    return v;
  }

  private static void doubles(DataOutputStream out, double[] v) throws IOException {
    out.writeInt(v.length);
    for (double x : v) out.writeDouble(x);
  }

  private static double[] doubles(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || (long) n * 8 > in.available()) throw new EOFException("array of " + n + " values");
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = in.readDouble();
    return v;
  }

  @Override
  public String toString() {
    return "Checkpoint(" + describe() + ", step " + step + ", " + parameters + ")";
  }

  /** Arrays compare by content here, so tests can compare checkpoints. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Checkpoint c && Arrays.equals(toBytes(), c.toBytes());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(toBytes());
  }
}
