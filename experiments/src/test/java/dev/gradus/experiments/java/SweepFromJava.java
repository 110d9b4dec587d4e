package dev.gradus.experiments.java;

import dev.gradus.dsl.ExperimentSpec;
import dev.gradus.dsl.Experiments;
import dev.gradus.dsl.Specs;
import dev.gradus.dsl.SweepBuilder;
import dev.gradus.dsl.SweepDeclaration;
import dev.gradus.engine.data.Shapeset;
import dev.gradus.engine.nn.Activation;
import dev.gradus.experiments.ConfigurationSummary;
import dev.gradus.experiments.SweepRecord;
import dev.gradus.experiments.Sweeps;
import java.nio.file.Path;
import java.util.List;

/**
 * Java parity: an experiment defined in Java, a sweep over 2 seeds × 2 learning rates, and its
 * summary read back. Usage: {@code SweepFromJava <runs folder> [--in-process]} (without
 * --in-process every trial is its own {@code run-spec} process, two at a time).
 */
public final class SweepFromJava {
  private SweepFromJava() {}

  /** A small classifier of 8×8 shapes, trained for one epoch. */
  static ExperimentSpec experiment() {
    return Experiments.experiment("java-shapes", e -> {
      e.setSeed(5);
      e.setData(Specs.shapeset(Shapeset.Family.BASIC, 200, 100, 8, 0.5, 0.9, false, 0.0, false));
      e.model(m -> {
        m.dense(16, Activation.TANH);
        m.output(3);
      });
      e.setOptimizer(Specs.sgd(0.1));
      e.train(t -> {
        t.setEpochs(1);
        t.setBatchSize(32);
      });
    });
  }

  static SweepDeclaration sweep() {
    SweepBuilder b = new SweepBuilder("java-lr");
    b.seeds(1L, 2L);
    b.grid("optimizer.lr", 0.05, 0.3);
    b.setBestBy(b.minimize("test.loss"));
    b.claim("every configuration finished both seeds",
        s -> s.getConfigurations().stream().allMatch(c -> s.n("test.loss", c) == 2));
    return b.build();
  }

  /** Runs the sweep into {@code runs} and returns its record, read back from disk. */
  public static SweepRecord run(Path runs, boolean inProcess) {
    Sweeps.run(sweep(), List.of(experiment()), runs, 2, 1, inProcess);
    return Sweeps.read(runs, "java-lr");
  }

  public static void main(String[] args) {
    if (args.length < 1) {
      System.err.println("usage: SweepFromJava <runs folder> [--in-process]");
      System.exit(2);
    }
    SweepRecord record = run(Path.of(args[0]), List.of(args).contains("--in-process"));
    for (ConfigurationSummary c : record.getConfigurations()) {
      System.out.println(c.getConfiguration() + ": test.loss " + Sweeps.describe(record, c.getConfiguration(), "test.loss")
          + ", test.accuracy " + Sweeps.describe(record, c.getConfiguration(), "test.accuracy"));
    }
    System.out.println("best by " + record.getBestBy() + ": " + record.getBest());
    record.getClaims().forEach(c -> System.out.println("claim: " + c.getText() + " -> " + c.getHolds() + " (" + c.getDetail() + ")"));
  }
}
