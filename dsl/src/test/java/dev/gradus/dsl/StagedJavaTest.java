package dev.gradus.dsl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.data.Shapeset;
import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.train.StagedTraining;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import kotlin.ranges.IntRange;
import org.junit.jupiter.api.Test;

/** The new layers, losses, greedy pre-training and transfers from Java (the README's Java example). */
class StagedJavaTest {
  @Test
  void layersPretrainingAndTransfers() throws Exception {
    ExperimentSpec shallow = Experiments.experiment("java-greedy", e -> {
      e.setSeed(3);
      e.setBackend("reference");
      e.setData(Specs.shapeset(Shapeset.Family.BASIC, 100, 40, 6, 0.5, 0.9, false, 0.0, false));
      e.model(m -> {
        m.dense(16, Activation.TANH);
        m.batchNorm();
        m.residual(b -> {
          b.dense(16, Activation.TANH);
          b.dropout(0.1);
        });
        m.highway();
        m.elman(4, 8);
        m.output(3, Specs.glorotUniform(), Specs.classFrequencies());
      });
      e.pretrain(p -> p.greedyLayerwise(1));
      e.setOptimizer(Specs.sgd(0.1));
      e.train(t -> {
        t.setEpochs(1);
        t.setBatchSize(20);
        t.setLoss(LossSpec.SIGMOID_CROSS_ENTROPY);
      });
    });
    assertEquals(new GreedyLayerwiseSpec(1), shallow.getPretrain());
    assertEquals(shallow, SpecJson.decode(SpecJson.encode(shallow)));
    ExperimentResult r = Experiments.compile(shallow).run();
    assertEquals(List.of("pretrain-1", "pretrain-2", "pretrain-3", "pretrain-4", "pretrain-5", "train"),
        r.getStages().stream().map(StagedTraining.StageResult::name).toList());

    Path dir = Files.createTempDirectory("gradus-java-transfer");
    try {
      r.getParameters().write(dir.resolve(Transfers.PARAMETERS_FILE));
      ExperimentSpec deeper = Experiments.experiment("java-deeper", e -> {
        e.setSeed(4);
        e.setBackend("reference");
        e.setData(Specs.shapeset(Shapeset.Family.BASIC, 100, 40, 6, 0.5, 0.9, false, 0.0, false));
        e.model(m -> {
          m.dense(16, Activation.TANH);
          m.dense(16, Activation.TANH);
          m.output(3);
          m.copyFrom(dir.toString(), new IntRange(0, 0), 0, true);
        });
        e.setOptimizer(Specs.sgd(0.1));
        e.train(t -> t.setBatchSize(20));
      });
      assertEquals(List.of(new TransferSpec(dir.toString(), 0, 1, 0, true)), deeper.getModel().getTransfers());
      ExperimentResult d = Experiments.compile(deeper).run();
      assertArrayEquals(r.getParameters().entries().get("layers.0.weight").values(),
          d.getParameters().entries().get("layers.0.weight").values());
      assertTrue(d.getStages().get(0).frozen().contains("layers.0.weight"));
    } finally {
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) Files.delete(f);
      }
      Files.delete(dir);
    }
  }
}
