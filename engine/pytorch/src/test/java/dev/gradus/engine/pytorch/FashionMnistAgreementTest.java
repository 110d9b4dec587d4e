package dev.gradus.engine.pytorch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gradus.engine.data.FashionMnist;
import dev.gradus.engine.data.Split;
import dev.gradus.engine.optim.GradientTransform;
import dev.gradus.engine.optim.Optimizers;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Gradus and PyTorch agree on the reference task: same architecture, init family (Glorot
 * uniform, zero biases), batch 128; mean test accuracy over seeds 1–5 against PyTorch's mean
 * over its seeds 1–5: SGD 0.1 for 3 epochs within 1.5 points, Adam 1e-3 for 1 epoch within 1
 * point. PyTorch's numbers come from {@code reference/torch/fashion_mlp_sgd.py}, committed with
 * its outputs beside it.
 */
class FashionMnistAgreementTest {
  static double torchMean(String fixture, String optimizer, int epochs) throws IOException {
    Path path = Path.of("../../reference/torch/" + fixture);
    Matcher m = Pattern.compile("SUMMARY torch \\S+ mean ([0-9.]+) .* n 5 epochs " + epochs + " optimizer " + optimizer)
        .matcher(Files.readString(path));
    assertTrue(m.find(), "no SUMMARY line for " + optimizer + " in " + path);
    return Double.parseDouble(m.group(1));
  }

  private static double gradusMean(int epochs, Supplier<GradientTransform> optimizer, StringBuilder perSeed) {
    assumeTrue(Files.exists(FashionMnist.resolveDir(null).resolve(FashionMnist.TRAIN_IMAGES)),
        "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
    Split data = FashionMnist.load();
    double sum = 0;
    try (Backend be = new PyTorchBackend(Device.CPU, 1)) {
      for (long seed = 1; seed <= 5; seed++) {
        double acc = 100 * MlpAcceptanceTest.trainMlp(be, data, seed, epochs, 128, optimizer.get(), 10).last().testAccuracy();
        sum += acc;
        perSeed.append(String.format(" %.2f", acc));
      }
    }
    return sum / 5;
  }

  @Test
  void sgdMeanAccuracyOverFiveSeedsIsWithinOnePointFiveOfPyTorch() throws IOException {
    double torch = torchMean("fashion_mlp_sgd.txt", "sgd", 3);
    StringBuilder perSeed = new StringBuilder();
    double gradus = gradusMean(3, () -> Optimizers.sgd(0.1), perSeed);
    System.out.printf("Fashion-MNIST MLP SGD 0.1, 3 epochs: Gradus mean %.2f (seeds 1-5:%s), PyTorch mean %.2f%n", gradus, perSeed, torch);
    assertEquals(torch, gradus, 1.5, "Gradus per seed:" + perSeed);
  }

  @Test
  void adamMeanAccuracyOverFiveSeedsIsWithinOnePointOfPyTorch() throws IOException {
    double torch = torchMean("fashion_mlp_adam.txt", "adam", 1);
    StringBuilder perSeed = new StringBuilder();
    double gradus = gradusMean(1, () -> Optimizers.adam(1e-3), perSeed);
    System.out.printf("Fashion-MNIST MLP Adam 1e-3, 1 epoch: Gradus mean %.2f (seeds 1-5:%s), PyTorch mean %.2f%n", gradus, perSeed, torch);
    assertEquals(torch, gradus, 1.0, "Gradus per seed:" + perSeed);
  }
}
