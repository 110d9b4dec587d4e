package dev.gradus.engine.train;

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
    List<StageResult> results = new ArrayList<>();
    ParameterSet previous = null;
    try {
      for (Stage stage : stages) {
        long t0 = System.nanoTime();
        Trainer trainer = new Trainer(backend, stage.model(), stage.phases(), stage.config().withStage(stage.name()), streams);
        listeners.forEach(trainer::addListener);
        for (BiConsumer<Stage, Trainer> setup : trainerSetups) setup.accept(stage, trainer);
        ParameterSet params = trainer.initialize();
        try {
          if (previous != null && !stage.carry().isEmpty()) params.copyFrom(ParameterSnapshot.of(previous), stage.carry());
        } catch (RuntimeException e) {
          params.close();
          throw new IllegalArgumentException("stage '" + stage.name() + "': " + e.getMessage(), e);
        }
        if (previous != null) previous.close();
        previous = params;
        for (BiConsumer<Stage, ParameterSet> hook : initializers) hook.accept(stage, params);
        for (BiFunction<Stage, ParameterSet, List<TrainingListener>> f : stageListeners) f.apply(stage, params).forEach(trainer::addListener);
        List<String> trained;
        try {
          trained = params.trainOnly(stage.trains());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("stage '" + stage.name() + "': " + e.getMessage(), e);
        }
        List<String> frozen = new ArrayList<>(params.paths());
        frozen.removeAll(trained);
        TrainingResult r = trainer.fit(params, stage.data() != null ? stage.data() : train, test);
        results.add(new StageResult(stage.name(), trained, frozen, r, (System.nanoTime() - t0) / 1e9));
      }
      Result out = new Result(List.copyOf(results), stages.get(stages.size() - 1).model(), previous);
      previous = null;
      return out;
    } finally {
      if (previous != null) previous.close();
    }
  }

  public List<Stage> stages() {
    return stages;
  }
}
