package dev.gradus.engine.train;

import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.checkpoint.Checkpoint;
import dev.gradus.engine.checkpoint.CheckpointSink;
import dev.gradus.engine.checkpoint.Stateful;
import dev.gradus.engine.continuation.Continuation;
import dev.gradus.engine.continuation.ObjectiveSettings;
import dev.gradus.engine.curriculum.Curriculum;
import dev.gradus.engine.curriculum.EpochContext;
import dev.gradus.engine.curriculum.EpochPlan;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.data.Dataset;
import dev.gradus.engine.data.Minibatches;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.nn.ParameterSnapshot;
import dev.gradus.engine.optim.GradientTransform;
import dev.gradus.engine.optim.OptimizerState;
import dev.gradus.engine.optim.ParameterAverager;
import dev.gradus.engine.optim.StateDict;
import dev.gradus.engine.optim.batch.BatchMethod;
import dev.gradus.engine.optim.batch.BatchState;
import dev.gradus.engine.optim.batch.Evaluations;
import dev.gradus.engine.optim.batch.Objective;
import dev.gradus.engine.curvature.BatchObjective;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.random.RandomStreams;
import dev.gradus.engine.schedule.MetricDrivenSchedule;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.schedule.Schedules;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Minibatch training of a classifier (softmax cross-entropy unless the configuration names
 * another {@link Loss}), as a pipeline of optimizer
 * {@link Phase phases} (one phase for a plain run): steps, an evaluation after each epoch,
 * events to listeners, and a stop with the place named when a loss, activation or gradient
 * turns NaN/Inf.
 *
 * <p>Decisions (stopping rules, plateau-driven schedules, early stopping) read training or
 * validation metrics only; the validation split is carved from the training data by the
 * {@code validation-split} stream, and the test split is only reported.
 *
 * <p>Each step runs inside its own memory scope, so every intermediate is freed when the step
 * ends. Data order comes from the {@code data-order} stream only, so a run is reproducible from
 * the root seed.
 *
 * <p>With a {@link CheckpointSink} the trainer hands out a {@link Checkpoint} after each epoch,
 * and a run continued from one ({@link #fit(ParameterSet, Dataset, Dataset, CheckpointSink,
 * Checkpoint)}) ends bit-identical to an uninterrupted run.
 */
public final class Trainer {
  /** The stream that decides which training examples are held out for validation. */
  public static final String VALIDATION_SPLIT = "validation-split";

  private final Backend backend;
  private final Model model;
  private final List<Phase> phases;
  private final TrainingConfig config;
  private final RandomStreams streams;
  private final List<TrainingListener> listeners = new ArrayList<>();
  private Curriculum curriculum;
  private Continuation continuation;

  /** A single phase: {@code optimizer} for {@code config.epochs()} epochs. */
  public Trainer(Backend backend, Model model, GradientTransform optimizer, TrainingConfig config, RandomStreams streams) {
    this(backend, model, config.epochs() == 0 ? List.of() : List.of(Phase.of("main", optimizer, StoppingRule.epochs(config.epochs()))),
        config, streams);
  }

  /** A pipeline: the phases run in order on the same parameters. */
  public Trainer(Backend backend, Model model, List<Phase> phases, TrainingConfig config, RandomStreams streams) {
    this.backend = backend;
    this.model = model;
    this.phases = List.copyOf(phases);
    this.config = config;
    this.streams = streams;
  }

  public Trainer addListener(TrainingListener l) {
    listeners.add(l);
    return this;
  }

  /** Plans each epoch's examples, order and loss weights (null: every example, shuffled, unweighted). */
  public Trainer withCurriculum(Curriculum c) {
    this.curriculum = c;
    return this;
  }

  /** Shapes each epoch's objective (Gaussian smoothing, noise, label smoothing, temperature); null: none. */
  public Trainer withContinuation(Continuation c) {
    this.continuation = c;
    return this;
  }

  /** The stream continuation methods draw their perturbations from. */
  public static final String CONTINUATION_STREAM = "continuation";

  /** Fresh parameters from the {@code init} stream. */
  public ParameterSet initialize() {
    return model.initialize(backend, config.dtype(), streams.stream(RandomStreams.INIT));
  }

  /**
   * Splits off the validation examples: a random {@code validationFraction} of {@code train}
   * (at least one example), drawn from the {@code validation-split} stream. Returns the
   * training part and the validation part (null when the fraction is 0).
   */
  public Holdout holdOutValidation(Dataset train) {
    if (config.validationFraction() == 0) return new Holdout(train, null);
    int n = train.size();
    int k = (int) Math.round(config.validationFraction() * n);
    if (k < 1 || k >= n) {
      throw new IllegalArgumentException("a validation fraction of " + config.validationFraction() + " leaves " + k
          + " of " + n + " training examples for validation; need at least 1 on each side");
    }
    // a fresh stream: the same examples are held out however often this is asked
    int[] order = streams.fresh(VALIDATION_SPLIT).permutation(n);
    int[] val = Arrays.copyOfRange(order, 0, k);
    int[] rest = Arrays.copyOfRange(order, k, n);
    Arrays.sort(val);
    Arrays.sort(rest);
    return new Holdout(train.subset(rest), train.subset(val));
  }

  /** Trains {@code params} in place on {@code train}, evaluating on {@code test} after each epoch. */
  public TrainingResult fit(ParameterSet params, Dataset train, Dataset test) {
    return fit(params, train, test, null, null);
  }

  /**
   * As {@link #fit(ParameterSet, Dataset, Dataset)}, handing a {@link Checkpoint} to {@code sink}
   * after each epoch of a first-order phase the sink wants, and at the start of each batch-method
   * phase; with {@code from}, continues from that checkpoint instead of the start: the parameters,
   * optimizer state, random streams, stopping rule, metric-driven schedules, best epoch and
   * curriculum are restored, finished phases and epochs are skipped (listeners do not hear about
   * them again) and the rest of the run is bit-identical to an uninterrupted one. {@code params}
   * must be this trainer's parameters, freshly initialized (their values are overwritten).
   *
   * @param sink receives checkpoints; null: none are taken
   * @param from a checkpoint of this stage to continue from; null: start from the beginning
   */
  public TrainingResult fit(ParameterSet params, Dataset train, Dataset test, CheckpointSink sink, Checkpoint from) {
    checkData(train, "training");
    checkData(test, "test");
    Holdout split = holdOutValidation(train);
    checkDecisionsHaveData(split.validation() != null);
    if (from != null) checkResumable(from);
    List<EpochMetrics> history = new ArrayList<>();
    List<PhaseResult> phaseResults = new ArrayList<>();
    long step = 0;
    int epoch = 0;
    int firstPhase = 0;
    if (from != null) {
      streams.restore(from.streams());
      for (EpochMetrics m : from.history()) if (m.stage().equals(config.stage())) history.add(m);
      for (PhaseResult r : from.phases()) if (r.stage().equals(config.stage())) phaseResults.add(r);
      step = from.step();
      epoch = from.epoch();
      firstPhase = from.phaseIndex();
      restoreExactly(params, from.parameters().entries(), "the checkpoint's parameters");
      if (curriculum instanceof Stateful s && from.curriculum() != null) s.restoreState(from.curriculum());
    }
    RandomStream order = streams.stream(RandomStreams.DATA_ORDER);
    RandomStream dropout = streams.stream(RandomStreams.DROPOUT);
    RandomStream noise = continuation == null ? null : streams.stream(CONTINUATION_STREAM);
    OptimizerState state = null;
    try (DeviceData trainData = upload(split.train());
        DeviceData validationData = split.validation() == null ? null : upload(split.validation());
        DeviceData testData = upload(test)) {
      for (int p = firstPhase; p < phases.size(); p++) {
        Phase phase = phases.get(p);
        boolean resumedHere = from != null && p == from.phaseIndex();
        if (phase.isBatchMethod()) {
          if (state != null) release(state);
          state = null;
          // the method's own state (L-BFGS pairs) is not kept: a resumed run replays the phase from here
          if (sink != null && !resumedHere) {
            sink.save(checkpoint(p, true, epoch, 0, step, 0, false, params, null, null, null, null, history, phaseResults));
          }
          long[] counters = {epoch, step};
          PhaseResult r = runBatchPhase(phase, p, params, split, trainData, validationData, testData, order, history, counters);
          epoch = (int) counters[0];
          step = counters[1];
          phaseResults.add(r);
          for (TrainingListener l : listeners) l.onPhaseEnd(r);
          continue;
        }
        GradientTransform optimizer = phase.optimizer();
        StoppingRule rule = phase.stop();
        BestEpoch best = new BestEpoch();
        int epochInPhase = 0;
        long stepInPhase = 0;
        boolean stop = false;
        if (resumedHere) {
          if (from.atPhaseStart() || from.optimizer() == null) {
            throw new IllegalArgumentException("checkpoint " + from.describe() + " has no optimizer state for first-order phase '" + phase.name() + "'");
          }
          state = optimizer.restore(from.optimizer(), params);
          epochInPhase = from.epochInPhase();
          stepInPhase = from.stepInPhase();
          stop = from.phaseStopping();
          best.values = from.bestParameters();
          best.epoch = from.bestEpoch();
          if (rule instanceof Stateful s && from.stoppingRule() != null) s.restoreState(from.stoppingRule());
          restoreMetricSchedules(optimizer, from.schedules());
        } else {
          OptimizerState previous = state;
          state = phase.carryState() && previous != null ? optimizer.restore(StateDict.of(previous), params) : optimizer.init(params);
          if (previous != null) release(previous);
          for (TrainingListener l : listeners) l.onPhaseStart(phase.name(), p, rule.describe());
        }
        TrainingStep trainingStep = new TrainingStep(backend, model, optimizer, config.stage(), config.checkGradients(),
            config.loss(), dropout, noise);
        while (!stop) {
          epoch++;
          epochInPhase++;
          long t0 = System.nanoTime();
          int batchSize = batchSize(phase.batchSize(), epochInPhase, split.train().size());
          Map<String, Double> epochValues = new java.util.LinkedHashMap<>();
          double[] rowWeights = null;
          List<int[]> batches;
          if (curriculum != null) {
            EpochPlan plan = curriculum.plan(new Context(epoch, epochInPhase, split.train(), order, params, trainData));
            batches = Minibatches.chunks(plan.order(), batchSize);
            rowWeights = plan.weights();
            plan.metrics().forEach((k, v) -> epochValues.put("curriculum." + k, v));
          } else {
            batches = Minibatches.epoch(split.train().size(), batchSize, config.shuffle(), order);
          }
          ObjectiveSettings settings = continuation == null ? ObjectiveSettings.PLAIN : continuation.at(epoch - 1);
          if (continuation != null) epochValues.putAll(continuation.describe(epoch - 1));
          double lossSum = 0;
          double gradientNormSum = 0;
          int b = 0;
          long samples = 0;
          for (int[] rows : batches) {
            b++;
            step++;
            stepInPhase++;
            try (MemoryScope scope = backend.openScope()) {
              Tensor idx = backend.fromInts(rows);
              Tensor weights = null;
              if (rowWeights != null) {
                double[] w = new double[rows.length];
                for (int i = 0; i < rows.length; i++) w[i] = rowWeights[rows[i]];
                weights = backend.fromDoubles(config.dtype(), w, rows.length);
              }
              TrainingStep.Outcome outcome = trainingStep.run(params, state,
                  backend.takeRows(trainData.features, idx), backend.takeRows(trainData.labels, idx), weights, settings, epoch, step);
              state = outcome.state();
              lossSum += outcome.loss();
              gradientNormSum += outcome.gradientNorm();
              samples += rows.length;
              for (TrainingListener l : listeners) {
                l.onStep(new StepEvent(config.stage(), epoch, b, batches.size(), step, outcome.loss(), rows.length));
              }
            }
            if (rule.stopAfterStep(stepInPhase)) {
              stop = true;
              break;
            }
          }
          epochValues.put(GRADIENT_NORM, gradientNormSum / b);
          double seconds = (System.nanoTime() - t0) / 1e9;
          EpochMetrics m = endEpoch(evaluationParameters(params, optimizer, state), validationData, testData, epoch, step, lossSum / b,
              seconds, samples, phase.name(), batchSize, withValues(optimizer.hyperparameters(state), epochValues), history);
          feedMetricSchedules(optimizer, m);
          stop |= rule.stopAfterEpoch(m, epochInPhase);
          best.offer(rule, m, params);
          if (sink != null && sink.wantsEpoch(epoch)) {
            List<long[]> schedules = new ArrayList<>();
            for (MetricDrivenSchedule md : metricDriven(optimizer)) schedules.add(md.stateWords());
            sink.save(checkpoint(p, false, epoch, epochInPhase, step, stepInPhase, stop, params, StateDict.of(state), best, rule, schedules,
                history, phaseResults));
          }
        }
        int restored = best.restoreUnlessLast(rule, params, epoch);
        PhaseResult r = new PhaseResult(phase.name(), epochInPhase, stepInPhase, rule.describe(), restored, config.stage());
        phaseResults.add(r);
        for (TrainingListener l : listeners) l.onPhaseEnd(r);
      }
    } finally {
      if (state != null) release(state);
    }
    TrainingResult result = new TrainingResult(List.copyOf(history), step, List.copyOf(phaseResults));
    for (TrainingListener l : listeners) l.onEnd(result);
    return result;
  }

  /** The epoch value holding the mean, over the epoch's steps, of the raw gradients' global L2 norm. */
  public static final String GRADIENT_NORM = "gradient.norm";

  /** A checkpoint of this stage (index 0; {@link StagedTraining} places it in the run). */
  private Checkpoint checkpoint(int phase, boolean atPhaseStart, int epoch, int epochInPhase, long step, long stepInPhase,
      boolean stopping, ParameterSet params, StateDict optimizer, BestEpoch best, StoppingRule rule, List<long[]> schedules,
      List<EpochMetrics> history, List<PhaseResult> phaseResults) {
    return new Checkpoint(0, config.stage(), phase, atPhaseStart, epoch, epochInPhase, step, stepInPhase, stopping,
        ParameterSnapshot.of(params), optimizer, streams.states(), history, phaseResults, List.of(),
        best == null ? 0 : best.epoch, best == null ? null : best.values,
        rule instanceof Stateful s ? s.saveState() : null, schedules == null ? List.of() : schedules,
        curriculum instanceof Stateful c ? c.saveState() : null);
  }

  /** Fails with a clear message when {@code from} was not taken by a trainer like this one. */
  private void checkResumable(Checkpoint from) {
    if (!from.stage().equals(config.stage())) {
      throw new IllegalArgumentException("checkpoint of stage '" + from.stage() + "' cannot resume stage '" + config.stage() + "'");
    }
    if (from.phaseIndex() >= phases.size()) {
      throw new IllegalArgumentException("checkpoint " + from.describe() + " names phase " + from.phaseIndex() + " but stage '"
          + config.stage() + "' has " + phases.size() + " phases");
    }
  }

  /** Gives the phase's metric-driven schedules the state words a checkpoint saved, in the same order. */
  private static void restoreMetricSchedules(GradientTransform optimizer, List<long[]> words) {
    List<MetricDrivenSchedule> schedules = metricDriven(optimizer);
    if (schedules.size() != words.size()) {
      throw new IllegalArgumentException("the checkpoint holds " + words.size() + " metric-driven schedule states but the phase has "
          + schedules.size());
    }
    for (int i = 0; i < words.size(); i++) schedules.get(i).restoreState(words.get(i));
  }

  /** Overwrites every parameter and buffer with {@code values}, which must name exactly the same ones with the same sizes. */
  private void restoreExactly(ParameterSet params, Map<String, ParameterSnapshot.Entry> values, String what) {
    if (!values.keySet().equals(params.entries().keySet())) {
      throw new IllegalArgumentException(what + " (" + values.keySet() + ") do not match the model's (" + params.entries().keySet() + ")");
    }
    Map<String, double[]> v = new java.util.LinkedHashMap<>();
    for (Parameter p : params.entries().values()) {
      ParameterSnapshot.Entry e = values.get(p.path());
      if (!Arrays.equals(e.shape(), p.value().shape())) {
        throw new IllegalArgumentException(what + ": " + p.path() + " has shape " + Arrays.toString(e.shape()) + ", the model's "
            + Arrays.toString(p.value().shape()));
      }
      v.put(p.path(), e.values());
    }
    restore(params, v);
  }

  /**
   * A {@link BatchMethod} phase: the objective is the configured loss on the whole training split
   * (one {@link BatchObjective}, so one method step per epoch), or on each minibatch when the phase
   * has a batch-size schedule (then a warning is recorded: line searches and curvature pairs of
   * batch methods assume a fixed objective). Curricula, continuations, example weights, auxiliary
   * heads and dropout do not apply (the objective runs in evaluation mode); a curriculum or
   * continuation set on the trainer is ignored here, with a warning. Evaluation, listeners,
   * stopping rules and best-epoch restoring work as in a first-order phase. Warnings are appended
   * to the phase result's stop reason ("…; warning: …") and flagged in the epoch metrics
   * ({@code batch.minibatch}). {@code counters} holds {epoch, step} across the stage and is updated.
   */
  private PhaseResult runBatchPhase(Phase phase, int index, ParameterSet params, Holdout split, DeviceData trainData,
      DeviceData validationData, DeviceData testData, RandomStream order, List<EpochMetrics> history, long[] counters) {
    BatchMethod method = phase.batchMethod();
    StoppingRule rule = phase.stop();
    for (TrainingListener l : listeners) l.onPhaseStart(phase.name(), index, rule.describe());
    List<String> warnings = new ArrayList<>();
    boolean minibatches = phase.batchSize() != null;
    if (minibatches) {
      warnings.add(method.describe() + " steps on minibatches: the objective changes at every step, which line searches and curvature"
          + " estimates assume it does not");
    }
    if (curriculum != null) warnings.add("the curriculum does not apply to batch-method phases");
    if (continuation != null) warnings.add("the continuation does not apply to batch-method phases");
    BatchState state = method.init(params);
    BatchObjective full = minibatches ? null : new BatchObjective(backend, model, config.loss(), trainData.features, trainData.labels);
    int epoch = (int) counters[0];
    long step = counters[1];
    BestEpoch best = new BestEpoch();
    int epochInPhase = 0;
    long stepInPhase = 0;
    boolean stop = false;
    while (!stop) {
      epoch++;
      epochInPhase++;
      long t0 = System.nanoTime();
      int batchSize = minibatches ? batchSize(phase.batchSize(), epochInPhase, split.train().size()) : split.train().size();
      List<int[]> batches = minibatches ? Minibatches.epoch(split.train().size(), batchSize, config.shuffle(), order) : null;
      int count = minibatches ? batches.size() : 1;
      double lossSum = 0;
      long samples = 0;
      Evaluations cost = Evaluations.NONE;
      int b = 0;
      for (int k = 0; k < count; k++) {
        b++;
        step++;
        stepInPhase++;
        int rows;
        try (MemoryScope scope = backend.openScope()) {
          BatchObjective objective = full;
          rows = split.train().size();
          if (minibatches) {
            Tensor idx = backend.fromInts(batches.get(k));
            objective = new BatchObjective(backend, model, config.loss(), backend.takeRows(trainData.features, idx),
                backend.takeRows(trainData.labels, idx));
            rows = batches.get(k).length;
          }
          BatchMethod.Result r = method.step(Objective.of(objective), params, state);
          state = r.state();
          if (!Double.isFinite(r.lossBefore())) {
            throw new NonFiniteValueException(config.stage(), epoch, step, "loss", "the loss", method.describe() + " started from loss " + r.lossBefore());
          }
          cost = cost.plus(r.evaluations());
          lossSum += r.lossBefore();
          samples += rows;
          for (TrainingListener l : listeners) l.onStep(new StepEvent(config.stage(), epoch, b, count, step, r.lossBefore(), rows));
        }
        if (rule.stopAfterStep(stepInPhase)) {
          stop = true;
          break;
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      Map<String, Double> values = new java.util.LinkedHashMap<>(method.hyperparameters(state));
      values.put("batch.values", (double) cost.values());
      values.put("batch.gradients", (double) cost.gradients());
      values.put("batch.curvature_products", (double) cost.curvatureProducts());
      if (minibatches) values.put("batch.minibatch", 1.0);
      EpochMetrics m = endEpoch(params, validationData, testData, epoch, step, lossSum / b, seconds, samples, phase.name(), batchSize,
          values, history);
      stop |= rule.stopAfterEpoch(m, epochInPhase);
      best.offer(rule, m, params);
    }
    int restored = best.restoreUnlessLast(rule, params, epoch);
    counters[0] = epoch;
    counters[1] = step;
    String reason = rule.describe() + (warnings.isEmpty() ? "" : "; warning: " + String.join("; warning: ", warnings));
    return new PhaseResult(phase.name(), epochInPhase, stepInPhase, reason, restored, config.stage());
  }

  /** Evaluates the epoch on the validation and test data, records it in {@code history} and tells the listeners. */
  private EpochMetrics endEpoch(ParameterSet evaluated, DeviceData validationData, DeviceData testData, int epoch, long step,
      double trainLoss, double seconds, long samples, String phase, int batchSize, Map<String, Double> values, List<EpochMetrics> history) {
    Evaluation val = validationData == null ? null : evaluate(evaluated, validationData);
    Evaluation ev = evaluate(evaluated, testData);
    EpochMetrics m = new EpochMetrics(config.stage(), epoch, step, trainLoss, ev.loss(), ev.accuracy(), seconds, samples / seconds, phase,
        val == null ? Double.NaN : val.loss(), val == null ? Double.NaN : val.accuracy(), batchSize, values);
    history.add(m);
    for (TrainingListener l : listeners) l.onEpoch(m);
    return m;
  }

  /** The parameters of a phase's best epoch so far, for stopping rules that restore them at the end. */
  private final class BestEpoch {
    private Map<String, double[]> values;
    private int epoch;

    void offer(StoppingRule rule, EpochMetrics m, ParameterSet params) {
      if (rule.restoresBest() && rule.isBest(m)) {
        values = params.snapshot();
        epoch = m.epoch();
      }
    }

    /** Puts the best epoch's parameters back unless it was the last one; returns that epoch, or 0 when nothing was restored. */
    int restoreUnlessLast(StoppingRule rule, ParameterSet params, int lastEpoch) {
      if (!rule.restoresBest() || values == null || epoch == lastEpoch) return 0;
      restore(params, values);
      return epoch;
    }
  }

  private static Map<String, Double> withValues(Map<String, Double> hyperparameters, Map<String, Double> epochValues) {
    if (epochValues.isEmpty()) return hyperparameters;
    Map<String, Double> all = new java.util.LinkedHashMap<>(hyperparameters);
    all.putAll(epochValues);
    return all;
  }

  /** What the curriculum sees: the epoch, the training data and, on demand, the current per-example losses. */
  private final class Context implements EpochContext {
    private final int epoch;
    private final int epochInPhase;
    private final Dataset train;
    private final RandomStream random;
    private final ParameterSet params;
    private final DeviceData data;
    private double[] losses;

    Context(int epoch, int epochInPhase, Dataset train, RandomStream random, ParameterSet params, DeviceData data) {
      this.epoch = epoch;
      this.epochInPhase = epochInPhase;
      this.train = train;
      this.random = random;
      this.params = params;
      this.data = data;
    }

    @Override
    public int epoch() {
      return epoch;
    }

    @Override
    public int epochInPhase() {
      return epochInPhase;
    }

    @Override
    public Dataset train() {
      return train;
    }

    @Override
    public RandomStream random() {
      return random;
    }

    @Override
    public double[] exampleLosses() {
      if (losses == null) losses = Trainer.this.exampleLosses(params, data);
      return losses.clone();
    }
  }

  /** Each example's loss under {@code params}, in evaluation mode and evaluation batches. */
  private double[] exampleLosses(ParameterSet params, DeviceData data) {
    double[] out = new double[data.size];
    forEachEvaluationBatch(params, data, (start, outputs, labels) -> {
      double[] l = config.loss().perExample(backend, outputs.value(), labels).toDoubles();
      System.arraycopy(l, 0, out, start, l.length);
    });
    return out;
  }

  /** What {@link #forEachEvaluationBatch} hands over: the batch's first row, the model's outputs and the labels. */
  private interface EvaluationBatch {
    void accept(int start, Var outputs, Tensor labels);
  }

  /** The model on {@code data} in evaluation batches, in evaluation mode, each batch in its own memory scope. */
  private void forEachEvaluationBatch(ParameterSet params, DeviceData data, EvaluationBatch visit) {
    for (int start = 0; start < data.size; start += config.evalBatchSize()) {
      int end = Math.min(data.size, start + config.evalBatchSize());
      int[] rows = new int[end - start];
      for (int i = 0; i < rows.length; i++) rows[i] = start + i;
      try (MemoryScope scope = backend.openScope()) {
        Tensor idx = backend.fromInts(rows);
        Tape tape = Tape.inference(backend);
        Var outputs = model.forward(tape, params, tape.constant(backend.takeRows(data.features, idx), "input"));
        visit.accept(start, outputs, backend.takeRows(data.labels, idx));
      }
    }
  }

  private int batchSize(Schedule schedule, int epochInPhase, int trainSize) {
    if (schedule == null) return config.batchSize();
    double v = schedule.at(epochInPhase - 1);
    if (!(v >= 1)) throw new IllegalArgumentException("batch size schedule gave " + v + " at epoch " + epochInPhase + "; need >= 1");
    return (int) Math.min(trainSize, Math.round(v));
  }

  /**
   * The parameters to evaluate: the optimizer's averaged iterates (Polyak, EMA) when the run
   * asks for them and the averaging has started, else the parameters themselves.
   */
  private ParameterSet evaluationParameters(ParameterSet params, GradientTransform optimizer, OptimizerState state) {
    if (!config.evaluateAveraged()) return params;
    Map<String, Tensor> averaged = ParameterAverager.find(optimizer, state)
        .map(ParameterAverager.Found::averagedParameters).orElse(null);
    if (averaged == null) return params;
    ParameterSet view = new ParameterSet();
    for (Parameter p : params.all()) {
      Tensor a = averaged.get(p.path());
      view.add(a == null ? p : p.withValue(a));
    }
    for (Parameter b : params.buffers()) view.add(b);
    return view;
  }

  /** Schedules driven by a metric (reduce-on-plateau) see it after each evaluation. */
  private static void feedMetricSchedules(GradientTransform optimizer, EpochMetrics m) {
    for (MetricDrivenSchedule md : metricDriven(optimizer)) md.observe(m.metric(md.metric()));
  }

  /** Every metric-driven schedule of the optimizer, also those nested in warm-ups and joins. */
  private static List<MetricDrivenSchedule> metricDriven(GradientTransform optimizer) {
    List<MetricDrivenSchedule> out = new ArrayList<>();
    for (Schedule s : optimizer.schedules()) {
      for (MetricDrivenSchedule md : Schedules.metricDriven(s)) if (!out.contains(md)) out.add(md);
    }
    return out;
  }

  /** Fails before training when a decision needs validation data that the configuration does not hold out. */
  private void checkDecisionsHaveData(boolean haveValidation) {
    for (Phase phase : phases) {
      List<String> metrics = new ArrayList<>();
      if (phase.stop().metric() != null) metrics.add(phase.stop().metric());
      if (phase.optimizer() != null) for (MetricDrivenSchedule md : metricDriven(phase.optimizer())) metrics.add(md.metric());
      for (String metric : metrics) {
        EpochMetrics.checkMetricName(metric);
        if (metric.startsWith("validation.") && !haveValidation) {
          throw new IllegalArgumentException("phase '" + phase.name() + "' decides on " + metric
              + " but no validation split is held out; set a validation fraction");
        }
      }
    }
  }

  private static void release(OptimizerState state) {
    for (Tensor t : state.tensors().values()) t.close();
  }

  private void restore(ParameterSet params, Map<String, double[]> values) {
    try (MemoryScope scope = backend.openScope()) {
      for (Parameter p : params.entries().values()) {
        backend.copyInto(p.value(), backend.fromDoubles(p.value().dtype(), values.get(p.path()), p.value().shape()));
      }
    }
  }

  /** Mean loss and accuracy of {@code params} on {@code data}, in evaluation batches. */
  public Evaluation evaluate(ParameterSet params, Dataset data) {
    checkData(data, "evaluation");
    try (DeviceData d = upload(data)) {
      return evaluate(params, d);
    }
  }

  private Evaluation evaluate(ParameterSet params, DeviceData data) {
    double[] lossSum = {0};
    long[] correct = {0};
    forEachEvaluationBatch(params, data, (start, logits, y) -> {
      long rows = logits.shape()[0];
      lossSum[0] += config.loss().apply(logits, y).value().item() * rows;
      correct[0] += backend.countEqual(backend.argmaxRows(logits.value()), y);
    });
    int n = data.size;
    return new Evaluation(lossSum[0] / n, (double) correct[0] / n, n);
  }

  private void checkData(Dataset d, String role) {
    if (d.featureCount() != model.inputSize()) {
      throw new IllegalArgumentException(role + " data '" + d.name() + "' has " + d.featureCount()
          + " features per example but the model takes " + model.inputSize());
    }
    if (d.numClasses() > model.outputSize()) {
      throw new IllegalArgumentException(role + " data '" + d.name() + "' has " + d.numClasses()
          + " classes but the model has " + model.outputSize() + " outputs");
    }
    if (d.size() == 0) throw new IllegalArgumentException(role + " data '" + d.name() + "' is empty");
  }

  /** A data set's features and labels held by the backend for the whole run. */
  private static final class DeviceData implements AutoCloseable {
    final Tensor features;
    final Tensor labels;
    final int size;

    DeviceData(Tensor features, Tensor labels, int size) {
      this.features = features;
      this.labels = labels;
      this.size = size;
    }

    @Override
    public void close() {
      features.close();
      labels.close();
    }
  }

  private DeviceData upload(Dataset d) {
    Tensor f = backend.detach(backend.fromFloats(d.features(), d.size(), d.featureCount()));
    if (config.dtype() == DType.FLOAT64) {
      Tensor f64 = backend.detach(backend.cast(f, DType.FLOAT64));
      f.close();
      f = f64;
    }
    return new DeviceData(f, backend.detach(backend.fromInts(d.labels())), d.size());
  }

  public Model model() {
    return model;
  }

  public TrainingConfig config() {
    return config;
  }

  public List<Phase> phases() {
    return phases;
  }
}
