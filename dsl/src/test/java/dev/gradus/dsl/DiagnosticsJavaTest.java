package dev.gradus.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gradus.engine.data.Shapeset;
import dev.gradus.engine.diagnostics.DiagnosticsSnapshot;
import dev.gradus.engine.nn.Activation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** train.diagnostics from Java: the builder, the JSON form and the snapshots of a run. */
class DiagnosticsJavaTest {
  @Test
  void builderJsonAndRun() {
    ExperimentSpec spec = Experiments.experiment("java-diagnostics", e -> {
      e.setSeed(3);
      e.setBackend("reference");
      e.setData(Specs.shapeset(Shapeset.Family.BASIC, 100, 40, 6, 0.5, 0.9, false, 0.0, false));
      e.model(m -> {
        m.dense(8, Activation.TANH);
        m.output(3);
      });
      e.setOptimizer(Specs.sgd(0.1));
      e.train(t -> {
        t.setEpochs(2);
        t.setBatchSize(20);
        t.diagnostics(2, 32, 4);
      });
    });
    assertEquals(new DiagnosticsSpec(2, 32, 4), spec.getTrain().getDiagnostics());
    String json = SpecJson.encode(spec);
    assertEquals(spec, SpecJson.decode(json));
    List<Integer> epochs = new ArrayList<>();
    ExperimentResult r = SpecCompiler.compile(spec).run(1, List.of(), null, s -> epochs.add(s.epoch()));
    assertEquals(List.of(0, 2), epochs);
    assertEquals(List.of(0, 2), r.getDiagnostics().stream().map(DiagnosticsSnapshot::epoch).toList());
    assertEquals(2, r.getDiagnostics().get(1).layers().size());
  }
}
