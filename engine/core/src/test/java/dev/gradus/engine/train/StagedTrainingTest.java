package dev.gradus.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.data.Shapeset;
import dev.gradus.engine.data.ShapesetConfig;
import dev.gradus.engine.data.Split;
import dev.gradus.engine.init.Constant;
import dev.gradus.engine.init.GlorotUniform;
import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.nn.Dense;
import dev.gradus.engine.nn.Layer;
import dev.gradus.engine.nn.LayerMapping;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.nn.ParameterSnapshot;
import dev.gradus.engine.nn.WithModelInput;
import dev.gradus.engine.optim.Optimizers;
import dev.gradus.engine.random.RandomStreams;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Freezing, copying and re-initializing parameters, staged runs and greedy layer-wise pre-training. */
class StagedTrainingTest {
  private final Backend be = new ReferenceBackend();
  private final Split data = Shapeset.generate(ShapesetConfig.basic(120, 40).withImageSize(8), new RandomStreams(4).stream(RandomStreams.DATA));
  private final TrainingConfig config = TrainingConfig.of(0, 20).withDtype(DType.FLOAT64);

  private static Dense tanh(int in, int out) {
    return new Dense(in, out, true, new GlorotUniform(), Constant.ZEROS, Activation.TANH);
  }

  private static Dense linear(int in, int out) {
    return new Dense(in, out, true, new GlorotUniform(), Constant.ZEROS);
  }

  private ParameterSet params(Model m, long seed) {
    return m.initialize(be, DType.FLOAT64, new RandomStreams(seed).stream(RandomStreams.INIT));
  }

  @Test
  void freezingByPatternAndItsErrors() {
    Model m = new Model(4, List.of(tanh(4, 5), tanh(5, 5), linear(5, 3)));
    try (ParameterSet p = params(m, 1)) {
      assertEquals(List.of("layers.0.weight", "layers.0.bias"), p.freeze(List.of("layers.0.*")));
      assertEquals(4, p.trainable().size());
      assertEquals(List.of("layers.0.weight", "layers.0.bias"), p.unfreeze(List.of("layers.0.**")));
      assertEquals(List.of("layers.2.weight", "layers.2.bias"), p.trainOnly(List.of("layers.2.*")));
      assertEquals(2, p.trainable().size());
      assertEquals(6, p.trainOnly(List.of()).size());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.freeze(List.of("layer.0.*")));
      assertTrue(e.getMessage().contains("matches no parameter"), e.getMessage());
    }
  }

  @Test
  void copyingLayersBetweenModelsChecksPathsAndShapes() {
    Model shallow = new Model(4, List.of(tanh(4, 5), linear(5, 3)));
    Model deep = new Model(4, List.of(tanh(4, 5), tanh(5, 5), tanh(5, 5), linear(5, 3)));
    try (ParameterSet s = params(shallow, 1); ParameterSet d = params(deep, 2)) {
      Map<String, double[]> middleBefore = d.snapshot();
      // Simonyan & Zisserman: first 1 and last 1 layers of the shallow net into the deeper one
      List<String> written = d.copyFrom(ParameterSnapshot.of(s), LayerMapping.growDeeper(2, 4, 1, 1));
      assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.3.weight", "layers.3.bias"), written);
      assertArrayEquals(s.get("layers.0.weight").value().toDoubles(), d.get("layers.0.weight").value().toDoubles());
      assertArrayEquals(s.get("layers.1.weight").value().toDoubles(), d.get("layers.3.weight").value().toDoubles());
      assertArrayEquals(middleBefore.get("layers.1.weight"), d.get("layers.1.weight").value().toDoubles()); // the middle stays fresh
      IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
          () -> d.copyFrom(ParameterSnapshot.of(s), LayerMapping.layers(1, 1, 1)));
      assertTrue(shape.getMessage().contains("shapes differ"), shape.getMessage());
      IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
          () -> d.copyFrom(ParameterSnapshot.of(s), LayerMapping.layers(1, 1, 7)));
      assertTrue(missing.getMessage().contains("no such entry"), missing.getMessage());
      IllegalArgumentException nothing = assertThrows(IllegalArgumentException.class,
          () -> d.copyFrom(ParameterSnapshot.of(s), LayerMapping.layers(5, 1, 0)));
      assertTrue(nothing.getMessage().contains("nothing to copy from layers.5.**"), nothing.getMessage());
    }
  }

  @Test
  void reinitializingDrawsFreshValuesForTheMatchedParametersOnly() {
    Model m = new Model(4, List.of(tanh(4, 5), linear(5, 3)));
    try (ParameterSet p = params(m, 1)) {
      Map<String, double[]> before = p.snapshot();
      assertEquals(List.of("layers.1.weight"), m.reinitialize(p, new RandomStreams(9).stream("re"), List.of("layers.1.weight")));
      assertFalse(Arrays.equals(before.get("layers.1.weight"), p.get("layers.1.weight").value().toDoubles()));
      assertArrayEquals(before.get("layers.0.weight"), p.get("layers.0.weight").value().toDoubles());
    }
  }

  @Test
  void parameterFilesRoundTripExactlyAndRejectOtherFiles(@TempDir Path dir) throws IOException {
    Model m = new Model(4, List.of(tanh(4, 5), linear(5, 3)));
    try (ParameterSet p = params(m, 1)) {
      ParameterSnapshot s = ParameterSnapshot.of(p);
      Path f = dir.resolve("parameters.bin");
      s.write(f);
      ParameterSnapshot back = ParameterSnapshot.read(f);
      assertEquals(s.entries().keySet(), back.entries().keySet());
      for (String k : s.entries().keySet()) assertArrayEquals(s.entries().get(k).values(), back.entries().get(k).values());
      assertArrayEquals(s.toBytes(), back.toBytes());
      Files.writeString(dir.resolve("other.bin"), "hello");
      assertThrows(IOException.class, () -> ParameterSnapshot.read(dir.resolve("other.bin")));
      byte[] cut = Arrays.copyOf(s.toBytes(), 40);
      IOException e = assertThrows(IOException.class, () -> ParameterSnapshot.read(new ByteArrayInputStream(cut), "cut"));
      assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }
  }

  private List<Layer> hidden(boolean concat) {
    return List.of(tanh(64, 12), tanh(concat ? 12 + 64 : 12, 10), tanh(concat ? 10 + 64 : 10, 8));
  }

  private StagedTraining greedy(GreedyLayerwise.LowerLayers lower, boolean joint, boolean concat, long seed, Map<String, Map<String, double[]>> atStart) {
    List<Stage> stages = new ArrayList<>(GreedyLayerwise.stages(64, hidden(concat), w -> linear(w, 3),
        () -> List.of(Phase.of("main", Optimizers.sgd(0.1), StoppingRule.epochs(2))), lower, joint, concat, config));
    StagedTraining t = new StagedTraining(be, stages, new RandomStreams(seed));
    t.onInitialized((stage, p) -> atStart.put(stage.name(), p.snapshot()));
    return t;
  }

  @Test
  void greedyStagesTrainTheNewLayerAndAFreshHeadWithTheLowerLayersFrozen() {
    Map<String, Map<String, double[]>> atStart = new HashMap<>();
    StagedTraining.Result r = greedy(GreedyLayerwise.LowerLayers.FROZEN, false, false, 5, atStart).run(data.train(), data.test());
    try (ParameterSet p = r.parameters()) {
      assertEquals(List.of("pretrain-1", "pretrain-2", "pretrain-3"), r.stages().stream().map(StagedTraining.StageResult::name).toList());
      StagedTraining.StageResult second = r.stages().get(1);
      assertEquals(List.of("layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.2.bias"), second.trained());
      assertEquals(List.of("layers.0.weight", "layers.0.bias"), second.frozen());
      assertEquals(2, second.result().epochs().size());
      assertEquals("pretrain-2", second.result().epochs().get(0).stage());
      // layer 0 trained in stage 1 only: stage 2 and 3 started from it and left it alone
      double[] afterStage1 = atStart.get("pretrain-2").get("layers.0.weight");
      assertFalse(Arrays.equals(afterStage1, atStart.get("pretrain-1").get("layers.0.weight")));
      assertArrayEquals(afterStage1, p.get("layers.0.weight").value().toDoubles());
      assertArrayEquals(atStart.get("pretrain-3").get("layers.1.weight"), p.get("layers.1.weight").value().toDoubles());
      // the final model is the full network: three hidden layers and an output layer
      assertEquals(4, r.model().depth());
      assertEquals(3, r.model().outputSize());
    }
  }

  @Test
  void fineTunedLowerLayersJointStagesAndDeterminism() {
    Map<String, Map<String, double[]>> a = new HashMap<>();
    Map<String, Map<String, double[]>> b = new HashMap<>();
    StagedTraining.Result ra = greedy(GreedyLayerwise.LowerLayers.FINE_TUNED, true, false, 6, a).run(data.train(), data.test());
    StagedTraining.Result rb = greedy(GreedyLayerwise.LowerLayers.FINE_TUNED, true, false, 6, b).run(data.train(), data.test());
    try (ParameterSet pa = ra.parameters(); ParameterSet pb = rb.parameters()) {
      assertEquals(List.of("pretrain-1", "joint-1", "pretrain-2", "joint-2", "pretrain-3", "joint-3"),
          ra.stages().stream().map(StagedTraining.StageResult::name).toList());
      assertTrue(ra.stages().get(2).frozen().isEmpty());
      assertFalse(Arrays.equals(a.get("pretrain-3").get("layers.0.weight"), pa.get("layers.0.weight").value().toDoubles()));
      Map<String, double[]> sa = pa.snapshot();
      Map<String, double[]> sb = pb.snapshot();
      for (String k : sa.keySet()) assertArrayEquals(sa.get(k), sb.get(k), k);
    }
  }

  @Test
  void yuEtAlStagesSeeThePreviousOutputsBesideTheInput() {
    Map<String, Map<String, double[]>> atStart = new HashMap<>();
    StagedTraining.Result r = greedy(GreedyLayerwise.LowerLayers.FROZEN, false, true, 7, atStart).run(data.train(), data.test());
    try (ParameterSet p = r.parameters()) {
      assertTrue(r.model().layers().get(1) instanceof WithModelInput);
      assertArrayEquals(new long[] {10, 12 + 64}, p.get("layers.1.weight").value().shape());
      assertTrue(Double.isFinite(r.stages().get(2).result().last().testLoss()));
    }
  }
}
