package dev.gradus.engine.curvature;

import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.train.EpochMetrics;
import dev.gradus.engine.train.Loss;
import dev.gradus.engine.train.StepEvent;
import dev.gradus.engine.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A {@link TrainingListener} that monitors ill-conditioning as the book suggests (section
 * 8.2.1): on a fixed probe batch it measures {@code gᵀg}, {@code gᵀHg} (exact, one
 * Hessian-vector product by double backward), the second-order prediction
 * {@code −ε gᵀg + ½ ε² gᵀHg} of a gradient step's effect for the current learning rate ε, and
 * {@code ‖g‖}. It mirrors {@link dev.gradus.engine.diagnostics.DiagnosticsMonitor}: once at
 * initialization (epoch 0, when the first phase starts), after every {@code everyEpochs}-th epoch
 * (epochs counted from 1 across the run; 0 turns this off) and, if {@code everySteps > 0}, after
 * every {@code everySteps}-th optimizer step. Each measurement goes to the sink as a
 * {@link CurvatureSnapshot} and is kept ({@link #snapshots()}).
 *
 * <p>ε is the optimizer's hyperparameter {@code "lr"} as the last {@link EpochMetrics} reported
 * it (what is in force at the end of that epoch), else {@code defaultLearningRate}; step
 * measurements and the initial one use the last known value. A listener cannot add to
 * {@link EpochMetrics} (a record), so a caller that wants the figures beside an epoch's metrics
 * reads {@link #snapshots()} (or collects them in the sink) and merges
 * {@link CurvatureSnapshot#metrics()} by epoch number into its record.
 *
 * <p>A measurement only reads the parameters (the trainer updates them in place, so it sees
 * their current values), runs the model in evaluation mode, draws from no stream of the run and
 * frees what it allocates, so training with the monitor gives bit-identical parameters to
 * training without it. It costs about one gradient plus one Hessian-vector product (≈ 5–6
 * forward/backward passes) on the probe batch.
 */
public final class IllConditioningMonitor implements TrainingListener {
  private final Backend backend;
  private final Model model;
  private final ParameterSet params;
  private final double[] features;
  private final int[] labels;
  private final Loss loss;
  private final int everyEpochs;
  private final int everySteps;
  private final Consumer<CurvatureSnapshot> sink;
  private final List<CurvatureSnapshot> snapshots = new ArrayList<>();
  private double learningRate;
  private String phase = "";
  private boolean initialMeasured;

  /**
   * @param features the probe batch, row-major {@code [labels.length, model.inputSize()]}
   * @param labels the probe batch's class labels
   * @param everyEpochs measure after every epoch whose number is a multiple of this (0: never)
   * @param everySteps measure after every step whose number is a multiple of this (0: never)
   * @param defaultLearningRate ε until an epoch reports {@code "lr"} (NaN: unknown)
   * @param sink receives each snapshot as it is measured (may be null)
   */
  public IllConditioningMonitor(Backend backend, Model model, ParameterSet params, double[] features, int[] labels, Loss loss,
      int everyEpochs, int everySteps, double defaultLearningRate, Consumer<CurvatureSnapshot> sink) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.model = Objects.requireNonNull(model, "model");
    this.params = Objects.requireNonNull(params, "params");
    Objects.requireNonNull(features, "features");
    Objects.requireNonNull(labels, "labels");
    if (labels.length == 0) throw new IllegalArgumentException("the probe batch is empty");
    if (features.length != (long) labels.length * model.inputSize()) {
      throw new IllegalArgumentException("probe features hold " + features.length + " values, expected " + labels.length
          + " x " + model.inputSize());
    }
    if (everyEpochs < 0 || everySteps < 0) {
      throw new IllegalArgumentException("everyEpochs and everySteps must be >= 0, got " + everyEpochs + " and " + everySteps);
    }
    if (!(defaultLearningRate >= 0) && !Double.isNaN(defaultLearningRate)) {
      throw new IllegalArgumentException("the default learning rate must be >= 0 or NaN, got " + defaultLearningRate);
    }
    this.features = features.clone();
    this.labels = labels.clone();
    this.loss = Objects.requireNonNull(loss, "loss");
    this.everyEpochs = everyEpochs;
    this.everySteps = everySteps;
    this.learningRate = defaultLearningRate;
    this.sink = sink == null ? s -> {} : sink;
  }

  /** As the main constructor, with float features (as {@link dev.gradus.engine.data.Dataset#features()} holds them). */
  public IllConditioningMonitor(Backend backend, Model model, ParameterSet params, float[] features, int[] labels, Loss loss,
      int everyEpochs, int everySteps, double defaultLearningRate, Consumer<CurvatureSnapshot> sink) {
    this(backend, model, params, toDoubles(features), labels, loss, everyEpochs, everySteps, defaultLearningRate, sink);
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) d[i] = f[i];
    return d;
  }

  @Override
  public void onPhaseStart(String phase, int index, String stoppingRule) {
    this.phase = phase;
    if (initialMeasured) return;
    initialMeasured = true;
    measure(0, 0);
  }

  @Override
  public void onStep(StepEvent event) {
    if (everySteps > 0 && event.step() % everySteps == 0) measure(event.epoch(), event.step());
  }

  @Override
  public void onEpoch(EpochMetrics metrics) {
    Double lr = metrics.hyperparameters().get("lr");
    if (lr != null) learningRate = lr;
    if (everyEpochs > 0 && metrics.epoch() % everyEpochs == 0) {
      phase = metrics.phase();
      measure(metrics.epoch(), metrics.steps());
    }
  }

  /** Measures now, at the parameters' current values, and hands the snapshot to the sink. */
  public CurvatureSnapshot measure(int epoch, long step) {
    CurvatureSnapshot s;
    try (MemoryScope scope = backend.openScope()) {
      BatchObjective probe = new BatchObjective(backend, model, loss,
          backend.fromDoubles(dtype(), features, labels.length, model.inputSize()), backend.fromInts(labels));
      s = CurvatureSnapshot.measure(probe, params, learningRate, epoch, step, phase);
    }
    snapshots.add(s);
    sink.accept(s);
    return s;
  }

  private DType dtype() {
    for (Parameter p : params.all()) return p.value().dtype();
    return DType.FLOAT32;
  }

  /** Every snapshot measured so far, in order. */
  public List<CurvatureSnapshot> snapshots() {
    return List.copyOf(snapshots);
  }

  /** The learning rate the next measurement will use. */
  public double learningRate() {
    return learningRate;
  }
}
