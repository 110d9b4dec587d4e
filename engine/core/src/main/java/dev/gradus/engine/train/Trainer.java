package dev.gradus.engine.train;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.data.Dataset;
import dev.gradus.engine.data.Minibatches;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.optim.GradientTransform;
import dev.gradus.engine.optim.OptimizerState;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.random.RandomStreams;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Minibatch training of a classifier with softmax cross-entropy: epochs of steps, an evaluation
 * of the test split after each epoch, events to listeners, and a stop with the place named when
 * a loss, activation or gradient turns NaN/Inf.
 *
 * <p>Each step runs inside its own memory scope, so every intermediate is freed when the step
 * ends. Data order comes from the {@code data-order} stream only, so a run is reproducible from
 * the root seed.
 */
public final class Trainer {
  private final Backend backend;
  private final Model model;
  private final GradientTransform optimizer;
  private final TrainingConfig config;
  private final RandomStreams streams;
  private final List<TrainingListener> listeners = new ArrayList<>();

  public Trainer(Backend backend, Model model, GradientTransform optimizer, TrainingConfig config, RandomStreams streams) {
    this.backend = backend;
    this.model = model;
    this.optimizer = optimizer;
    this.config = config;
    this.streams = streams;
  }

  public Trainer addListener(TrainingListener l) {
    listeners.add(l);
    return this;
  }

  /** Fresh parameters from the {@code init} stream. */
  public ParameterSet initialize() {
    return model.initialize(backend, config.dtype(), streams.stream(RandomStreams.INIT));
  }

  /** Trains {@code params} in place on {@code train}, evaluating on {@code test} after each epoch. */
  public TrainingResult fit(ParameterSet params, Dataset train, Dataset test) {
    checkData(train, "training");
    checkData(test, "test");
    RandomStream order = streams.stream(RandomStreams.DATA_ORDER);
    TrainingStep trainingStep = new TrainingStep(backend, model, optimizer, config.stage(), config.checkGradients());
    OptimizerState state = optimizer.init(params);
    List<EpochMetrics> history = new ArrayList<>();
    long step = 0;
    try (DeviceData trainData = upload(train); DeviceData testData = upload(test)) {
      for (int epoch = 1; epoch <= config.epochs(); epoch++) {
        long t0 = System.nanoTime();
        List<int[]> batches = Minibatches.epoch(train.size(), config.batchSize(), config.shuffle(), order);
        double lossSum = 0;
        int b = 0;
        for (int[] rows : batches) {
          b++;
          step++;
          try (MemoryScope scope = backend.openScope()) {
            Tensor idx = backend.fromInts(rows);
            TrainingStep.Outcome outcome = trainingStep.run(params, state,
                backend.takeRows(trainData.features, idx), backend.takeRows(trainData.labels, idx), epoch, step);
            state = outcome.state();
            lossSum += outcome.loss();
            for (TrainingListener l : listeners) {
              l.onStep(new StepEvent(config.stage(), epoch, b, batches.size(), step, outcome.loss(), rows.length));
            }
          }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Evaluation ev = evaluate(params, testData);
        EpochMetrics m = new EpochMetrics(config.stage(), epoch, step, lossSum / batches.size(), ev.loss(), ev.accuracy(),
            seconds, train.size() / seconds);
        history.add(m);
        for (TrainingListener l : listeners) l.onEpoch(m);
      }
    }
    TrainingResult result = new TrainingResult(List.copyOf(history), step);
    for (TrainingListener l : listeners) l.onEnd(result);
    return result;
  }

  /** Mean loss and accuracy of {@code params} on {@code data}, in evaluation batches. */
  public Evaluation evaluate(ParameterSet params, Dataset data) {
    checkData(data, "evaluation");
    try (DeviceData d = upload(data)) {
      return evaluate(params, d);
    }
  }

  private Evaluation evaluate(ParameterSet params, DeviceData data) {
    double lossSum = 0;
    long correct = 0;
    int n = data.size;
    for (int start = 0; start < n; start += config.evalBatchSize()) {
      int end = Math.min(n, start + config.evalBatchSize());
      int[] rows = new int[end - start];
      for (int i = 0; i < rows.length; i++) rows[i] = start + i;
      try (MemoryScope scope = backend.openScope()) {
        Tensor idx = backend.fromInts(rows);
        Tensor x = backend.takeRows(data.features, idx);
        Tensor y = backend.takeRows(data.labels, idx);
        Tape tape = Tape.inference(backend);
        Var logits = model.forward(tape, params, tape.constant(x, "input"));
        lossSum += Ops.softmaxCrossEntropy(logits, y).value().item() * rows.length;
        correct += backend.countEqual(backend.argmaxRows(logits.value()), y);
      }
    }
    return new Evaluation(lossSum / n, (double) correct / n, n);
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
  private final class DeviceData implements AutoCloseable {
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
}
