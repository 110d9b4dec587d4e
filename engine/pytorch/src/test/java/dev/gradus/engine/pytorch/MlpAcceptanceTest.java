package dev.gradus.engine.pytorch;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gradus.engine.data.FashionMnist;
import dev.gradus.engine.data.Shapeset;
import dev.gradus.engine.data.ShapesetConfig;
import dev.gradus.engine.data.Split;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.optim.GradientTransform;
import dev.gradus.engine.optim.Optimizers;
import dev.gradus.engine.random.RandomStreams;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Device;
import dev.gradus.engine.train.Trainer;
import dev.gradus.engine.train.TrainingConfig;
import dev.gradus.engine.train.TrainingResult;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The engine's acceptance runs from plain Java: the reference MLP on real and generated data. */
class MlpAcceptanceTest {

  static TrainingResult trainMlp(Backend be, Split data, long seed, int epochs, int batch, double lr, int classes) {
    return trainMlp(be, data, seed, epochs, batch, Optimizers.sgd(lr), classes);
  }

  static TrainingResult trainMlp(Backend be, Split data, long seed, int epochs, int batch, GradientTransform optimizer, int classes) {
    Model model = Model.builder(data.train().featureCount()).dense(256).relu().dense(256).relu().dense(classes).build();
    Trainer trainer = new Trainer(be, model, optimizer, TrainingConfig.of(epochs, batch), new RandomStreams(seed));
    try (var params = trainer.initialize()) {
      return trainer.fit(params, data.train(), data.test());
    }
  }

  @Test
  void fashionMnistMlpReaches82PercentIn3Epochs() {
    assumeTrue(Files.exists(FashionMnist.resolveDir(null).resolve(FashionMnist.TRAIN_IMAGES)),
        "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
    Split data = FashionMnist.load();
    try (Backend be = new PyTorchBackend(Device.CPU, 1)) {
      TrainingResult r = trainMlp(be, data, 1, 3, 128, 0.1, 10);
      double acc = r.last().testAccuracy();
      assertTrue(acc >= 0.82, "test accuracy " + acc + " after 3 epochs, expected >= 0.82");
    }
  }

  @Test
  void basicShapesAreLearnedWellAboveChance() {
    // rotated basic shapes with random grey levels: an MLP gets about 2/3 right after 10 epochs
    Split data = Shapeset.generate(ShapesetConfig.basic(10_000, 2_000), new RandomStreams(7).stream(RandomStreams.DATA));
    try (Backend be = new PyTorchBackend(Device.CPU, 1)) {
      Model model = Model.builder(data.train().featureCount()).dense(128).tanh().dense(128).tanh().dense(3).build();
      Trainer trainer = new Trainer(be, model, Optimizers.sgd(0.05), TrainingConfig.of(10, 64), new RandomStreams(7));
      try (var params = trainer.initialize()) {
        double acc = trainer.fit(params, data.train(), data.test()).last().testAccuracy();
        assertTrue(acc >= 0.55, "test accuracy " + acc + " on basic shapes; chance is 1/3");
      }
    }
  }
}
