package dev.gradus.engine.diagnostics;

import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.train.EpochMetrics;
import dev.gradus.engine.train.Loss;
import dev.gradus.engine.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A {@link TrainingListener} that measures {@link SignalPropagation} statistics of the parameters
 * being trained on a fixed probe batch: once at initialization (epoch 0, when the first phase
 * starts, before any step) and after every {@code everyEpochs}-th epoch (epochs counted from 1
 * across the whole run, so with {@code everyEpochs = 3}: epochs 0, 3, 6, ...). Each measurement
 * goes to the sink as a {@link DiagnosticsSnapshot} and is also kept ({@link #snapshots()}).
 *
 * <p>A measurement only reads the parameters (the trainer updates them in place, so this monitor
 * sees their current values); it draws from no stream of the run, so training with the monitor
 * gives bit-identical parameters to training without it. After an epoch it sees the parameters
 * themselves, not the averaged iterates a run may evaluate.
 */
public final class DiagnosticsMonitor implements TrainingListener {
  private final Backend backend;
  private final Model model;
  private final ParameterSet params;
  private final double[] features;
  private final int[] labels;
  private final int jacobianExamples;
  private final int everyEpochs;
  private final Loss loss;
  private final Consumer<DiagnosticsSnapshot> sink;
  private final List<DiagnosticsSnapshot> snapshots = new ArrayList<>();
  private boolean initialMeasured;

  /**
   * @param features the probe batch, row-major {@code [labels.length, model.inputSize()]}
   * @param labels the probe batch's class labels
   * @param jacobianExamples examples over which the mean Jacobian singular value is averaged (0: not measured)
   * @param everyEpochs measure after every epoch whose number is a multiple of this (>= 1)
   * @param sink receives each snapshot as it is measured (may be null)
   */
  public DiagnosticsMonitor(Backend backend, Model model, ParameterSet params, double[] features, int[] labels,
      int jacobianExamples, int everyEpochs, Loss loss, Consumer<DiagnosticsSnapshot> sink) {
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
    if (jacobianExamples < 0) throw new IllegalArgumentException("jacobianExamples must be >= 0, got " + jacobianExamples);
    if (everyEpochs < 1) throw new IllegalArgumentException("everyEpochs must be >= 1, got " + everyEpochs);
    this.features = features.clone();
    this.labels = labels.clone();
    this.jacobianExamples = jacobianExamples;
    this.everyEpochs = everyEpochs;
    this.loss = Objects.requireNonNull(loss, "loss");
    this.sink = sink == null ? s -> {} : sink;
  }

  /** As the main constructor, with float features (as {@link dev.gradus.engine.data.Dataset#features()} holds them). */
  public DiagnosticsMonitor(Backend backend, Model model, ParameterSet params, float[] features, int[] labels,
      int jacobianExamples, int everyEpochs, Loss loss, Consumer<DiagnosticsSnapshot> sink) {
    this(backend, model, params, toDoubles(features), labels, jacobianExamples, everyEpochs, loss, sink);
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) d[i] = f[i];
    return d;
  }

  @Override
  public void onPhaseStart(String phase, int index, String stoppingRule) {
    if (initialMeasured) return;
    initialMeasured = true;
    measure(0, 0, phase);
  }

  @Override
  public void onEpoch(EpochMetrics metrics) {
    if (metrics.epoch() % everyEpochs == 0) measure(metrics.epoch(), metrics.steps(), metrics.phase());
  }

  /** Measures now and hands the snapshot to the sink. */
  private void measure(int epoch, long step, String phase) {
    List<LayerStatistics> layers = SignalPropagation.measure(backend, model, params, features, labels, jacobianExamples, loss);
    DiagnosticsSnapshot s = new DiagnosticsSnapshot(epoch, step, phase, layers);
    snapshots.add(s);
    sink.accept(s);
  }

  /** Every snapshot measured so far, in order. */
  public List<DiagnosticsSnapshot> snapshots() {
    return List.copyOf(snapshots);
  }

  public int everyEpochs() {
    return everyEpochs;
  }
}
