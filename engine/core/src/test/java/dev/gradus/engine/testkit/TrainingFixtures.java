package dev.gradus.engine.testkit;

import dev.gradus.engine.data.Shapeset;
import dev.gradus.engine.data.ShapesetConfig;
import dev.gradus.engine.data.Split;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.optim.Optimizers;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.random.RandomStreams;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.train.Trainer;
import dev.gradus.engine.train.TrainingConfig;
import dev.gradus.engine.train.TrainingResult;
import java.util.ArrayList;
import java.util.List;

/** Small shared set-ups for the backends' end-to-end tests (every backend trains the same runs). */
public final class TrainingFixtures {
  private TrainingFixtures() {}

  /** Basic shapes, 16×16, generated from the {@code data} stream of {@code seed}. */
  public static Split smallShapes(long seed, int train, int test) {
    ShapesetConfig cfg = ShapesetConfig.basic(train, test).withImageSize(16);
    return Shapeset.generate(cfg, new RandomStreams(seed).stream(RandomStreams.DATA));
  }

  /** Trains a tanh MLP on {@code data} and returns the result and every step's loss. */
  public static Run train(Backend be, Split data, long seed, TrainingConfig cfg, double lr) {
    int inputs = data.train().featureCount();
    return train(be, Model.builder(inputs).dense(32).tanh().dense(32).tanh().dense(3).build(), data, seed, cfg, lr);
  }

  /** Trains {@code model} with SGD and returns the result and every step's loss. */
  public static Run train(Backend be, Model model, Split data, long seed, TrainingConfig cfg, double lr) {
    Trainer trainer = new Trainer(be, model, Optimizers.sgd(lr), cfg, new RandomStreams(seed));
    List<Double> losses = new ArrayList<>();
    trainer.addListener(new dev.gradus.engine.train.TrainingListener() {
      @Override
      public void onStep(dev.gradus.engine.train.StepEvent e) {
        losses.add(e.loss());
      }
    });
    try (var params = trainer.initialize()) {
      TrainingResult r = trainer.fit(params, data.train(), data.test());
      return new Run(r, losses, params.snapshot());
    }
  }

  public record Run(TrainingResult result, List<Double> stepLosses, java.util.Map<String, double[]> finalParameters) {}

  public static RandomStream stream(long seed) {
    return new RandomStream("test", seed);
  }
}
