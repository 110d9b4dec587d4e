package dev.gradus.engine.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.data.Shapeset;
import dev.gradus.engine.data.ShapesetConfig;
import dev.gradus.engine.data.Split;
import dev.gradus.engine.init.Constant;
import dev.gradus.engine.init.GlorotUniform;
import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.nn.BatchNorm;
import dev.gradus.engine.nn.Dense;
import dev.gradus.engine.nn.Dropout;
import dev.gradus.engine.nn.Layer;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.optim.Optimizers;
import dev.gradus.engine.optim.batch.Lbfgs;
import dev.gradus.engine.random.RandomStreams;
import dev.gradus.engine.schedule.ReduceOnPlateau;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import dev.gradus.engine.train.EpochMetrics;
import dev.gradus.engine.train.GreedyLayerwise;
import dev.gradus.engine.train.Phase;
import dev.gradus.engine.train.PhaseResult;
import dev.gradus.engine.train.StagedTraining;
import dev.gradus.engine.train.StoppingRule;
import dev.gradus.engine.train.Trainer;
import dev.gradus.engine.train.TrainingConfig;
import dev.gradus.engine.train.TrainingListener;
import dev.gradus.engine.train.TrainingResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints and exact resume: a run continued from any of its checkpoints, in a fresh trainer
 * with fresh random streams, ends with bit-identical metrics and parameters; damaged files are
 * refused clearly; retention keeps the last k and the best.
 */
class CheckpointResumeTest {
  private final Backend be = new ReferenceBackend();
  private final Split data = Shapeset.generate(ShapesetConfig.basic(120, 40).withImageSize(8), new RandomStreams(4).stream(RandomStreams.DATA));
  private final TrainingConfig config = TrainingConfig.of(0, 20).withDtype(DType.FLOAT64).withValidationFraction(0.25);
  private static final long SEED = 11;

  /** Dropout (the dropout stream), batch normalization (buffers), three phases, state everywhere. */
  private Model model() {
    return Model.builder(64).dense(16).tanh().layer(new Dropout(16, 0.2)).layer(new BatchNorm(16)).dense(3).build();
  }

  /** Fresh phases: Adam, then momentum SGD under reduce-on-plateau with early stopping that restores the best, then L-BFGS. */
  private static List<Phase> phases() {
    Schedule lr = ReduceOnPlateau.builder(Schedule.constant(0.2), "validation.loss").patience(0).factor(0.5).build();
    return List.of(
        Phase.of("adam", Optimizers.adam(0.01), StoppingRule.epochs(3)),
        Phase.of("momentum", Optimizers.momentum(lr, Schedule.constant(0.9)), StoppingRule.earlyStopping("validation.loss", 2, 0, 6)),
        Phase.ofBatchMethod("lbfgs", Lbfgs.strongWolfe(1, 2, 5), StoppingRule.epochs(2)));
  }

  private Trainer trainer() {
    return new Trainer(be, model(), phases(), config, new RandomStreams(SEED));
  }

  private record Outcome(TrainingResult result, Map<String, double[]> parameters, List<Checkpoint> checkpoints, List<Integer> heard) {}

  private Outcome fit(Checkpoint from, CheckpointSink extra) {
    Trainer t = trainer();
    List<Checkpoint> saved = new ArrayList<>();
    List<Integer> heard = new ArrayList<>();
    t.addListener(new TrainingListener() {
      @Override
      public void onEpoch(EpochMetrics m) {
        heard.add(m.epoch());
      }
    });
    CheckpointSink sink = new CheckpointSink() {
      @Override
      public boolean wantsEpoch(int epoch) {
        return extra == null || extra.wantsEpoch(epoch);
      }

      @Override
      public void save(Checkpoint c) {
        saved.add(c);
        if (extra != null) extra.save(c);
      }
    };
    try (ParameterSet params = t.initialize()) {
      TrainingResult r = t.fit(params, data.train(), data.test(), sink, from);
      return new Outcome(r, params.snapshot(), saved, heard);
    }
  }

  /** Every field of an epoch but its wall time, bit for bit. */
  private static List<Object> exact(EpochMetrics m) {
    return List.of(m.stage(), m.epoch(), m.steps(), Double.doubleToRawLongBits(m.trainLoss()), Double.doubleToRawLongBits(m.testLoss()),
        Double.doubleToRawLongBits(m.testAccuracy()), m.phase(), Double.doubleToRawLongBits(m.validationLoss()),
        Double.doubleToRawLongBits(m.validationAccuracy()), m.batchSize(), new java.util.TreeMap<>(m.hyperparameters()));
  }

  private static void assertSameRun(List<EpochMetrics> expected, List<EpochMetrics> actual, String what) {
    assertEquals(expected.size(), actual.size(), what + ": epochs");
    for (int i = 0; i < expected.size(); i++) assertEquals(exact(expected.get(i)), exact(actual.get(i)), what + ": epoch " + (i + 1));
  }

  private static void assertSameParameters(Map<String, double[]> expected, Map<String, double[]> actual, String what) {
    assertEquals(expected.keySet(), actual.keySet(), what);
    for (String k : expected.keySet()) assertArrayEquals(expected.get(k), actual.get(k), what + ": " + k);
    for (String k : expected.keySet()) {
      long[] a = Arrays.stream(expected.get(k)).mapToLong(Double::doubleToRawLongBits).toArray();
      long[] b = Arrays.stream(actual.get(k)).mapToLong(Double::doubleToRawLongBits).toArray();
      assertArrayEquals(a, b, what + ": bits of " + k);
    }
  }

  @Test
  void resumingFromEveryCheckpointEndsBitIdentical() throws IOException {
    Outcome full = fit(null, null);
    List<PhaseResult> phases = full.result().phases();
    assertEquals(3, phases.size());
    assertTrue(full.checkpoints().stream().anyMatch(Checkpoint::atPhaseStart), "a checkpoint at the L-BFGS phase's start");
    assertTrue(full.checkpoints().stream().anyMatch(c -> c.phaseIndex() == 1 && c.bestParameters() != null && c.schedules().size() == 1));
    assertTrue(full.result().epochs().get(0).hyperparameters().get(Trainer.GRADIENT_NORM) > 0, "gradient.norm is reported");
    for (Checkpoint c : full.checkpoints()) {
      // through the file format, as a resumed process would read it
      Checkpoint read = Checkpoint.fromBytes(c.toBytes(), "test");
      Outcome resumed = fit(read, null);
      String what = "resumed from " + c.describe();
      assertSameRun(full.result().epochs(), resumed.result().epochs(), what);
      assertEquals(phases, resumed.result().phases(), what);
      assertEquals(full.result().steps(), resumed.result().steps(), what);
      assertSameParameters(full.parameters(), resumed.parameters(), what);
      // listeners hear only the epochs after the checkpoint
      List<Integer> expectedHeard = full.heard().stream().filter(e -> e > c.epoch()).toList();
      assertEquals(expectedHeard, resumed.heard(), what);
    }
  }

  @Test
  void aRunInterruptedByAnExceptionResumesFromItsStore(@TempDir Path dir) {
    Outcome full = fit(null, null);
    CheckpointStore store = new CheckpointStore(dir, 1, 2, true, "validation.loss");
    Trainer t = trainer();
    t.addListener(new TrainingListener() {
      @Override
      public void onEpoch(EpochMetrics m) {
        if (m.epoch() == 5) throw new IllegalStateException("interrupted");
      }
    });
    try (ParameterSet params = t.initialize()) {
      assertThrows(IllegalStateException.class, () -> t.fit(params, data.train(), data.test(), store, null));
    }
    CheckpointStore reopened = new CheckpointStore(dir, 1, 2, true, "validation.loss");
    CheckpointStore.Loaded latest = reopened.latest();
    assertNotNull(latest);
    assertEquals(4, latest.checkpoint().epoch(), "the exception came before epoch 5's checkpoint");
    Outcome resumed = fit(latest.checkpoint(), reopened);
    assertSameRun(full.result().epochs(), resumed.result().epochs(), "resumed");
    assertSameParameters(full.parameters(), resumed.parameters(), "resumed");
  }

  private static Dense tanh(int in, int out) {
    return new Dense(in, out, true, new GlorotUniform(), Constant.ZEROS, Activation.TANH);
  }

  /** Greedy layer-wise pre-training of two hidden layers with joint fine-tuning after each: four stages. */
  private StagedTraining staged(RandomStreams streams, List<String> hooks) {
    List<Layer> hidden = List.of(tanh(64, 12), tanh(12, 10));
    List<dev.gradus.engine.train.Stage> stages = GreedyLayerwise.stages(64, hidden, w -> new Dense(w, 3, true, new GlorotUniform(), Constant.ZEROS),
        () -> List.of(
            Phase.of("sgd", Optimizers.momentum(ReduceOnPlateau.builder(Schedule.constant(0.1), "validation.loss").patience(0).factor(0.5).build(),
                Schedule.constant(0.9)), StoppingRule.earlyStopping("validation.loss", 1, 0, 3)),
            Phase.of("adam", Optimizers.adam(0.01), StoppingRule.epochs(2))),
        GreedyLayerwise.LowerLayers.FROZEN, true, false, config);
    return new StagedTraining(be, stages, streams).onInitialized((s, p) -> hooks.add(s.name()));
  }

  @Test
  void aStagedRunResumesInALaterStage() {
    List<Checkpoint> saved = new ArrayList<>();
    List<String> hooks = new ArrayList<>();
    StagedTraining.Result full = staged(new RandomStreams(SEED), hooks).run(data.train(), data.test(), saved::add, null);
    Map<String, double[]> fullParams = full.parameters().snapshot();
    full.parameters().close();
    assertEquals(List.of("pretrain-1", "joint-1", "pretrain-2", "joint-2"), hooks);
    List<Checkpoint> later = saved.stream().filter(c -> c.stageIndex() >= 2).toList();
    assertTrue(later.size() >= 3);
    for (Checkpoint c : List.of(later.get(0), later.get(later.size() / 2), later.get(later.size() - 1))) {
      List<String> resumedHooks = new ArrayList<>();
      StagedTraining.Result r = staged(new RandomStreams(SEED), resumedHooks).run(data.train(), data.test(), null, c);
      String what = "resumed from " + c.describe() + " of stage " + c.stageIndex();
      assertEquals(full.stages().size(), r.stages().size(), what);
      for (int s = 0; s < full.stages().size(); s++) {
        assertEquals(full.stages().get(s).name(), r.stages().get(s).name());
        assertEquals(full.stages().get(s).trained(), r.stages().get(s).trained());
        assertSameRun(full.stages().get(s).result().epochs(), r.stages().get(s).result().epochs(), what + ", stage " + s);
        assertEquals(full.stages().get(s).result().phases(), r.stages().get(s).result().phases(), what);
        assertEquals(full.stages().get(s).result().steps(), r.stages().get(s).result().steps(), what);
      }
      assertSameParameters(fullParams, r.parameters().snapshot(), what);
      r.parameters().close();
      // the resumed stage's initialization hooks (transfers, scaling) do not run again
      assertEquals(hooks.subList(c.stageIndex() + 1, hooks.size()), resumedHooks, what);
    }
  }

  @Test
  void damagedFilesAreRefusedClearly(@TempDir Path dir) throws IOException {
    CheckpointStore store = new CheckpointStore(dir, 1, 10, false, null);
    fit(null, store);
    List<Path> files = store.files();
    Path newest = files.get(files.size() - 1);
    byte[] bytes = Files.readAllBytes(newest);

    Files.write(newest, Arrays.copyOf(bytes, bytes.length / 2));
    CorruptCheckpointException cut = assertThrows(CorruptCheckpointException.class, () -> CheckpointStore.read(newest));
    assertTrue(cut.getMessage().contains(newest.toString()) && cut.getMessage().contains("truncated"), cut.getMessage());

    byte[] flipped = bytes.clone();
    flipped[bytes.length / 2] ^= 0x10;
    Files.write(newest, flipped);
    CorruptCheckpointException bad = assertThrows(CorruptCheckpointException.class, () -> CheckpointStore.read(newest));
    assertTrue(bad.getMessage().contains("checksum"), bad.getMessage());

    Path other = dir.resolve("other.ckpt");
    Files.writeString(other, "hello, this is not a checkpoint at all");
    CorruptCheckpointException notOne = assertThrows(CorruptCheckpointException.class, () -> CheckpointStore.read(other));
    assertTrue(notOne.getMessage().contains("not a Gradus checkpoint"), notOne.getMessage());

    // the store falls back to the newest readable one and says what it skipped
    CheckpointStore.Loaded latest = new CheckpointStore(dir, 1, 10, false, null).latest();
    assertEquals(files.get(files.size() - 2), latest.file());
    assertEquals(1, latest.skipped().size());
    assertTrue(latest.skipped().get(0).contains("checksum"), latest.skipped().get(0));
  }

  @Test
  void retentionKeepsTheLastKAndTheBest(@TempDir Path dir) throws IOException {
    CheckpointStore store = new CheckpointStore(dir, 1, 2, true, "validation.loss");
    Outcome full = fit(null, store);
    List<Checkpoint> all = full.checkpoints();
    Set<String> expected = new LinkedHashSet<>();
    for (Checkpoint c : all.subList(all.size() - 2, all.size())) expected.add(CheckpointStore.fileName(c));
    // the best: lowest validation loss among the checkpoints taken right after an epoch
    Checkpoint best = null;
    for (Checkpoint c : all) {
      if (c.atPhaseStart()) continue;
      if (best == null || c.lastEpoch().validationLoss() < best.lastEpoch().validationLoss()) best = c;
    }
    expected.add(CheckpointStore.fileName(best));
    Set<String> kept = new LinkedHashSet<>();
    for (Path f : store.files()) kept.add(f.getFileName().toString());
    assertEquals(new java.util.TreeSet<>(expected), new java.util.TreeSet<>(kept));
    assertEquals(dir.resolve(CheckpointStore.fileName(best)), store.best());
    try (var s = Files.list(dir)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary files left");
    }
    // every other epoch: only even epochs are saved (the batch phase's start is always offered)
    CheckpointStore sparse = new CheckpointStore(dir.resolve("sparse"), 2, 100, false, null);
    fit(null, sparse);
    for (Path f : sparse.files()) {
      Checkpoint c = CheckpointStore.read(f);
      assertTrue(c.atPhaseStart() || c.epoch() % 2 == 0, f.toString());
    }
    assertThrows(IllegalArgumentException.class, () -> new CheckpointStore(dir, 1, 0, false, null));
    assertThrows(IllegalArgumentException.class, () -> new CheckpointStore(dir, 1, 1, true, "test.loss"));
  }
}
