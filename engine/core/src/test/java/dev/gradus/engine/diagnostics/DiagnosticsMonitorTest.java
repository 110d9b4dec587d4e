package dev.gradus.engine.diagnostics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gradus.engine.data.Dataset;
import dev.gradus.engine.data.Shapeset;
import dev.gradus.engine.data.ShapesetConfig;
import dev.gradus.engine.data.Split;
import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.optim.Optimizers;
import dev.gradus.engine.random.RandomStreams;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import dev.gradus.engine.train.Loss;
import dev.gradus.engine.train.Phase;
import dev.gradus.engine.train.StoppingRule;
import dev.gradus.engine.train.Trainer;
import dev.gradus.engine.train.TrainingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DiagnosticsMonitorTest {
  private final Backend be = new ReferenceBackend();
  private final Split data = Shapeset.generate(ShapesetConfig.basic(120, 40).withImageSize(6), new RandomStreams(4).stream(RandomStreams.DATA));
  private final Model model = Model.builder(36).dense(12, Activation.TANH).dense(8, Activation.TANH).dense(3).build();
  private final Dataset probe = data.train().head(32);

  private Trainer trainer(List<Phase> phases) {
    return new Trainer(be, model, phases, TrainingConfig.of(0, 20), new RandomStreams(9));
  }

  private List<Phase> sgd(int epochs) {
    return List.of(Phase.of("main", Optimizers.sgd(0.2), StoppingRule.epochs(epochs)));
  }

  private DiagnosticsMonitor monitor(ParameterSet p, int every, List<DiagnosticsSnapshot> sink) {
    return new DiagnosticsMonitor(be, model, p, probe.features(), probe.labels(), 4, every, Loss.SOFTMAX_CROSS_ENTROPY, sink::add);
  }

  @Test
  void measuresAtInitializationAndAfterEveryEpoch() {
    Trainer t = trainer(sgd(3));
    List<DiagnosticsSnapshot> seen = new ArrayList<>();
    try (ParameterSet p = t.initialize()) {
      double[] x = new double[probe.features().length];
      for (int i = 0; i < x.length; i++) x[i] = probe.features()[i];
      List<LayerStatistics> before = SignalPropagation.measure(be, model, p, x, probe.labels(), 4, Loss.SOFTMAX_CROSS_ENTROPY);
      DiagnosticsMonitor m = monitor(p, 1, seen);
      t.addListener(m);
      t.fit(p, data.train(), data.test());
      assertEquals(List.of(0, 1, 2, 3), seen.stream().map(DiagnosticsSnapshot::epoch).toList());
      assertEquals(List.of(0L, 6L, 12L, 18L), seen.stream().map(DiagnosticsSnapshot::step).toList());
      assertEquals(seen, m.snapshots());
      assertEquals(before, seen.get(0).layers());
      assertEquals("main", seen.get(0).phase());
      for (DiagnosticsSnapshot s : seen) assertEquals(3, s.layers().size());
      // training moved the parameters, and the monitor saw it
      assertNotEquals(seen.get(0).layers().get(0).activationStd(), seen.get(3).layers().get(0).activationStd());
      List<LayerStatistics> after = SignalPropagation.measure(be, model, p, x, probe.labels(), 4, Loss.SOFTMAX_CROSS_ENTROPY);
      assertEquals(after, seen.get(3).layers());
    }
  }

  @Test
  void everyNthEpochAcrossPhases() {
    List<Phase> phases = List.of(
        Phase.of("fast", Optimizers.sgd(0.5), StoppingRule.epochs(2)),
        Phase.of("slow", Optimizers.sgd(0.05), StoppingRule.epochs(3)));
    Trainer t = trainer(phases);
    List<DiagnosticsSnapshot> seen = new ArrayList<>();
    try (ParameterSet p = t.initialize()) {
      t.addListener(monitor(p, 2, seen));
      t.fit(p, data.train(), data.test());
    }
    assertEquals(List.of(0, 2, 4), seen.stream().map(DiagnosticsSnapshot::epoch).toList());
    assertEquals(List.of("fast", "fast", "slow"), seen.stream().map(DiagnosticsSnapshot::phase).toList());
  }

  @Test
  void monitoringDoesNotChangeTraining() {
    Map<String, double[]> plain;
    Trainer a = trainer(sgd(3));
    try (ParameterSet p = a.initialize()) {
      a.fit(p, data.train(), data.test());
      plain = p.snapshot();
    }
    Map<String, double[]> monitored;
    Trainer b = trainer(sgd(3));
    List<DiagnosticsSnapshot> seen = new ArrayList<>();
    try (ParameterSet p = b.initialize()) {
      b.addListener(monitor(p, 1, seen));
      b.fit(p, data.train(), data.test());
      monitored = p.snapshot();
    }
    assertEquals(4, seen.size());
    assertEquals(plain.keySet(), monitored.keySet());
    for (String k : plain.keySet()) assertArrayEquals(plain.get(k), monitored.get(k), k); // exact, element by element
  }

  @Test
  void refusesBadArguments() {
    try (ParameterSet p = trainer(sgd(1)).initialize()) {
      assertThrows(IllegalArgumentException.class, () -> monitor(p, 0, new ArrayList<>()));
      assertThrows(IllegalArgumentException.class,
          () -> new DiagnosticsMonitor(be, model, p, new double[5], new int[] {0}, 1, 1, Loss.SOFTMAX_CROSS_ENTROPY, null));
    }
  }
}
