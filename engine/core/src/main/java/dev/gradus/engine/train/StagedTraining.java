package dev.gradus.engine.train;

import dev.gradus.engine.checkpoint.Checkpoint;
import dev.gradus.engine.checkpoint.CheckpointSink;
import dev.gradus.engine.data.Dataset;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.nn.ParameterSnapshot;
import dev.gradus.engine.random.RandomStreams;
import dev.gradus.engine.tensor.Backend;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * Runs {@link Stage stages} in order (greedy layer-wise pre-training, growing a network, a
 * transfer followed by fine-tuning): each stage initializes its model from the {@code init}
 * stream, copies what it carries from the previous stage, trains the parameters it names with
 * its own phases and hands its parameters on. All stages draw from the same named streams, so
 * the whole run is a function of the root seed.
 */
public final class StagedTraining {
  private final Backend backend;
  private final List<Stage> stages;
  private final RandomStreams streams;
  private final List<TrainingListener> listeners = new ArrayList<>();
  private final List<BiConsumer<Stage, ParameterSet>> initializers = new ArrayList<>();
  private final List<BiFunction<Stage, ParameterSet, List<TrainingListener>>> stageListeners = new ArrayList<>();
  private final List<BiConsumer<Stage, Trainer>> trainerSetups = new ArrayList<>();

  public StagedTraining(Backend backend, List<Stage> stages, RandomStreams streams) {
    if (stages.isEmpty()) throw new IllegalArgumentException("a staged run needs at least one stage");
    List<String> names = new ArrayList<>();
    for (Stage s : stages) {
      if (names.contains(s.name())) throw new IllegalArgumentException("two stages are named '" + s.name() + "'");
      names.add(s.name());
    }
    this.backend = backend;
    this.stages = List.copyOf(stages);
    this.streams = streams;
  }

  public StagedTraining addListener(TrainingListener l) {
    listeners.add(l);
    return this;
  }

  /**
   * Runs after a stage's parameters are initialized and carried over, before it trains (a
   * transfer from a recorded run, data-driven scaling of the first stage).
   */
  public StagedTraining onInitialized(BiConsumer<Stage, ParameterSet> hook) {
    initializers.add(hook);
    return this;
  }

  /**
   * Listeners for one stage that need its parameters (diagnostics of the stage's model), made
   * after the stage is initialized and added before it trains.
   */
  public StagedTraining forStage(BiFunction<Stage, ParameterSet, List<TrainingListener>> factory) {
    stageListeners.add(factory);
    return this;
  }

  /** Configures a stage's trainer before it runs (its curriculum, its continuation). */
  public StagedTraining configureTrainer(BiConsumer<Stage, Trainer> setup) {
    trainerSetups.add(setup);
    return this;
  }

  /** What one stage did. */
  public record StageResult(String name, List<String> trained, List<String> frozen, TrainingResult result, double seconds) {}

  /** Every stage's result, and the last stage's model and parameters (the caller closes them). */
  public record Result(List<StageResult> stages, Model model, ParameterSet parameters) {}

  public Result run(Dataset train, Dataset test) {
    return run(train, test, null, null);
  }

  /**
   * As {@link #run(Dataset, Dataset)}, handing checkpoints to {@code sink} (see {@link
   * Trainer#fit(ParameterSet, Dataset, Dataset, CheckpointSink, Checkpoint)}), and with {@code
   * from}, continuing from that checkpoint: finished stages are not run again (their results come
   * from the checkpoint), and the stage it was taken in is built afresh but neither carries
   * parameters over nor runs the {@link #onInitialized} hooks (transfers, data-driven scaling):
   * its parameters, buffers and random streams come from the checkpoint. {@link #forStage}
   * listeners are made as usual.
   */
  public Result run(Dataset train, Dataset test, CheckpointSink sink, Checkpoint from) {
    if (from != null) {
      if (from.stageIndex() >= stages.size() || !stages.get(from.stageIndex()).name().equals(from.stage())) {
        throw new IllegalArgumentException("checkpoint of stage " + from.stageIndex() + " '" + from.stage() + "' does not fit this run's stages "
            + stages.stream().map(Stage::name).toList());
      }
      if (from.finishedStages().size() != from.stageIndex()) {
        throw new IllegalArgumentException("checkpoint of stage " + from.stageIndex() + " records " + from.finishedStages().size()
            + " finished stages");
      }
    }
    List<StageResult> results = new ArrayList<>();
    List<Checkpoint.FinishedStage> finished = new ArrayList<>();
    List<EpochMetrics> earlierEpochs = new ArrayList<>();
    List<PhaseResult> earlierPhases = new ArrayList<>();
    int first = from == null ? 0 : from.stageIndex();
    for (int s = 0; s < first; s++) {
      Checkpoint.FinishedStage f = from.finishedStages().get(s);
      List<EpochMetrics> epochs = from.history().stream().filter(m -> m.stage().equals(f.name())).toList();
      List<PhaseResult> phases = from.phases().stream().filter(r -> r.stage().equals(f.name())).toList();
      results.add(new StageResult(f.name(), f.trained(), f.frozen(), new TrainingResult(epochs, f.steps(), phases), f.seconds()));
      finished.add(f);
      earlierEpochs.addAll(epochs);
      earlierPhases.addAll(phases);
    }
    ParameterSet previous = null;
    try {
      for (int index = first; index < stages.size(); index++) {
        Stage stage = stages.get(index);
        boolean resuming = from != null && index == from.stageIndex();
        long t0 = System.nanoTime();
        Trainer trainer = new Trainer(backend, stage.model(), stage.phases(), stage.config().withStage(stage.name()), streams);
        listeners.forEach(trainer::addListener);
        for (BiConsumer<Stage, Trainer> setup : trainerSetups) setup.accept(stage, trainer);
        ParameterSet params = trainer.initialize();
        try {
          if (!resuming && previous != null && !stage.carry().isEmpty()) params.copyFrom(ParameterSnapshot.of(previous), stage.carry());
        } catch (RuntimeException e) {
          params.close();
          throw new IllegalArgumentException("stage '" + stage.name() + "': " + e.getMessage(), e);
        }
        if (previous != null) previous.close();
        previous = params;
        if (!resuming) for (BiConsumer<Stage, ParameterSet> hook : initializers) hook.accept(stage, params);
        for (BiFunction<Stage, ParameterSet, List<TrainingListener>> f : stageListeners) f.apply(stage, params).forEach(trainer::addListener);
        List<String> trained;
        try {
          trained = params.trainOnly(stage.trains());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("stage '" + stage.name() + "': " + e.getMessage(), e);
        }
        List<String> frozen = new ArrayList<>(params.paths());
        frozen.removeAll(trained);
        CheckpointSink stageSink = sink == null ? null : placedIn(sink, index, earlierEpochs, earlierPhases, finished);
        TrainingResult r = trainer.fit(params, stage.data() != null ? stage.data() : train, test, stageSink, resuming ? from : null);
        double seconds = (System.nanoTime() - t0) / 1e9;
        results.add(new StageResult(stage.name(), trained, frozen, r, seconds));
        finished.add(new Checkpoint.FinishedStage(stage.name(), trained, frozen, r.steps(), seconds));
        earlierEpochs.addAll(r.epochs());
        earlierPhases.addAll(r.phases());
      }
      Result out = new Result(List.copyOf(results), stages.get(stages.size() - 1).model(), previous);
      previous = null;
      return out;
    } finally {
      if (previous != null) previous.close();
    }
  }

  /** {@code sink} receiving a stage's checkpoints placed in the whole run (copies of the lists as they are now). */
  private static CheckpointSink placedIn(CheckpointSink sink, int index, List<EpochMetrics> epochs, List<PhaseResult> phases,
      List<Checkpoint.FinishedStage> finished) {
    List<EpochMetrics> e = List.copyOf(epochs);
    List<PhaseResult> p = List.copyOf(phases);
    List<Checkpoint.FinishedStage> f = List.copyOf(finished);
    return new CheckpointSink() {
      @Override
      public boolean wantsEpoch(int epoch) {
        return sink.wantsEpoch(epoch);
      }

      @Override
      public void save(Checkpoint c) {
        sink.save(c.inRun(index, e, p, f));
      }
    };
  }

  public List<Stage> stages() {
    return stages;
  }
}
