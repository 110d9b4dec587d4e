package dev.gradus.curricula;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.curriculum.EpochPlan;
import dev.gradus.engine.data.Dataset;
import dev.gradus.engine.optim.StateDict;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/** The teacher's bandit memory survives a checkpoint: a restored teacher plans exactly as the saved one would have. */
class TeacherStudentStateTest {
  private static final int TASKS = 4;

  private static Dataset data() {
    double[] task = new double[80];
    for (int i = 0; i < task.length; i++) task[i] = i % TASKS;
    return Fixtures.data("task", task);
  }

  /** Task losses falling at different, epoch-dependent rates, so the choice moves around. */
  private static final IntFunction<double[]> LOSSES = e -> {
    double[] l = new double[80];
    for (int i = 0; i < l.length; i++) l[i] = 5 - Math.sin(0.7 * e + i % TASKS) * (1 + i % TASKS) + 0.01 * (i / TASKS % 3);
    return l;
  };

  private static TeacherStudent teacher() {
    return new TeacherStudent(Difficulties.metadata("task"), 3, 0.3, 25);
  }

  private static List<EpochPlan> plans(TeacherStudent t, Fixtures.Scripted ctx, int from, int to) {
    List<EpochPlan> out = new ArrayList<>();
    for (int e = from; e <= to; e++) {
      ctx.epoch = e;
      out.add(t.plan(ctx));
    }
    return out;
  }

  @Test
  void aRestoredTeacherContinuesExactly() {
    Dataset d = data();
    TeacherStudent whole = teacher();
    List<EpochPlan> expected = plans(whole, new Fixtures.Scripted(d, 7, LOSSES), 1, 12);

    TeacherStudent first = teacher();
    assertTrue(first.saveState().words().isEmpty(), "nothing to save before the first plan");
    Fixtures.Scripted ctx = new Fixtures.Scripted(d, 7, LOSSES);
    plans(first, ctx, 1, 6);
    StateDict saved = first.saveState();
    long[] random = ctx.random.state();
    assertEquals(List.of(3L, 2L), List.of((long) saved.shapes().get("history/0")[0], (long) saved.shapes().get("history/0")[1]));

    // a fresh teacher in a fresh process: the state arrives before the tasks are known
    TeacherStudent resumed = teacher();
    resumed.restoreState(saved);
    Fixtures.Scripted ctx2 = new Fixtures.Scripted(d, 99, LOSSES);
    ctx2.random.restore(random);
    List<EpochPlan> rest = plans(resumed, ctx2, 7, 12);
    for (int i = 0; i < rest.size(); i++) {
      assertArrayEquals(expected.get(6 + i).order(), rest.get(i).order(), "epoch " + (7 + i));
      assertEquals(expected.get(6 + i).metrics(), rest.get(i).metrics(), "epoch " + (7 + i));
    }
    assertTrue(saved.sameAs(whole.saveState()) == false, "the state moved on after epoch 6");
    assertTrue(resumed.saveState().sameAs(whole.saveState()), "the same memory at the end");

    // without the state the bandit would choose differently: the test can tell
    Fixtures.Scripted ctx3 = new Fixtures.Scripted(d, 99, LOSSES);
    ctx3.random.restore(random);
    List<EpochPlan> forgetful = plans(teacher(), ctx3, 7, 12);
    boolean differs = false;
    for (int i = 0; i < rest.size(); i++) differs |= !java.util.Arrays.equals(rest.get(i).order(), forgetful.get(i).order());
    assertTrue(differs);
  }

  /** Teacher–student inside the real trainer: every checkpoint resumes to the same epochs and parameters. */
  @Test
  void aTrainerRunWithTheTeacherResumesBitIdentical() {
    dev.gradus.engine.tensor.Backend be = new dev.gradus.engine.tensor.reference.ReferenceBackend();
    dev.gradus.engine.data.Split shapes = dev.gradus.engine.data.Shapeset.generate(
        dev.gradus.engine.data.ShapesetConfig.basic(90, 30).withImageSize(8),
        new dev.gradus.engine.random.RandomStreams(4).stream(dev.gradus.engine.random.RandomStreams.DATA));
    // tasks: the shape class, so the bandit has three arms
    Dataset train = shapes.train();
    double[] task = new double[train.size()];
    for (int i = 0; i < task.length; i++) task[i] = train.labels()[i];
    Dataset tagged = new Dataset(train.name(), train.features(), train.size(), train.exampleShape(), train.labels(), train.numClasses(),
        train.classNames(), java.util.Map.of("task", task));
    record Run(List<dev.gradus.engine.train.EpochMetrics> epochs, java.util.Map<String, double[]> params,
        List<dev.gradus.engine.checkpoint.Checkpoint> checkpoints) {}
    java.util.function.Function<dev.gradus.engine.checkpoint.Checkpoint, Run> fit = from -> {
      dev.gradus.engine.nn.Model model = dev.gradus.engine.nn.Model.builder(64).dense(8, dev.gradus.engine.nn.Activation.TANH).dense(3).build();
      dev.gradus.engine.train.Trainer t = new dev.gradus.engine.train.Trainer(be, model, dev.gradus.engine.optim.Optimizers.momentum(0.1, 0.9),
          dev.gradus.engine.train.TrainingConfig.of(8, 5).withDtype(dev.gradus.engine.tensor.DType.FLOAT64),
          new dev.gradus.engine.random.RandomStreams(9)).withCurriculum(new TeacherStudent(Difficulties.metadata("task"), 3, 0.3, 20));
      List<dev.gradus.engine.checkpoint.Checkpoint> saved = new ArrayList<>();
      try (dev.gradus.engine.nn.ParameterSet p = t.initialize()) {
        var r = t.fit(p, tagged, shapes.test(), saved::add, from);
        return new Run(r.epochs(), p.snapshot(), saved);
      }
    };
    Run full = fit.apply(null);
    assertTrue(full.checkpoints().get(3).curriculum() != null && !full.checkpoints().get(3).curriculum().words().isEmpty());
    for (int k : new int[] {1, 4, 6}) {
      Run resumed = fit.apply(full.checkpoints().get(k - 1));
      assertEquals(full.epochs().size(), resumed.epochs().size());
      for (int e = 0; e < full.epochs().size(); e++) {
        assertEquals(full.epochs().get(e).trainLoss(), resumed.epochs().get(e).trainLoss(), 0.0, "epoch " + (e + 1) + " after resuming at " + k);
        assertEquals(full.epochs().get(e).hyperparameters(), resumed.epochs().get(e).hyperparameters());
      }
      for (String path : full.params().keySet()) assertArrayEquals(full.params().get(path), resumed.params().get(path), path);
    }
  }

  @Test
  void aStateOfOtherTasksIsRefused() {
    TeacherStudent t = teacher();
    plans(t, new Fixtures.Scripted(data(), 7, LOSSES), 1, 2);
    double[] three = new double[30];
    for (int i = 0; i < three.length; i++) three[i] = i % 3;
    TeacherStudent other = teacher();
    plans(other, new Fixtures.Scripted(Fixtures.data("task", three), 7, e -> new double[30]), 1, 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.restoreState(other.saveState()));
    assertTrue(e.getMessage().contains("3 tasks"), e.getMessage());
    assertNotEquals(t.saveState(), other.saveState());
  }
}
