package dev.gradus.engine.pytorch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gradus.engine.data.FashionMnist;
import dev.gradus.engine.data.Split;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Gradus and PyTorch agree on the reference task: same architecture, init family (Glorot
 * uniform, zero biases), SGD 0.1, batch 128, 3 epochs; mean test accuracy over seeds 1–5 within
 * 1.5 points of PyTorch's mean over its seeds 1–5. PyTorch's numbers come from
 * {@code reference/torch/fashion_mlp_sgd.py}, committed with its output beside it.
 */
class FashionMnistAgreementTest {
  static final Path FIXTURE = Path.of("../../reference/torch/fashion_mlp_sgd.txt");

  static double torchMean() throws IOException {
    Matcher m = Pattern.compile("SUMMARY torch \\S+ mean ([0-9.]+) .* n 5 epochs 3").matcher(Files.readString(FIXTURE));
    assertTrue(m.find(), "no SUMMARY line in " + FIXTURE);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void meanAccuracyOverFiveSeedsIsWithinOnePointFiveOfPyTorch() throws IOException {
    assumeTrue(Files.exists(FashionMnist.resolveDir(null).resolve(FashionMnist.TRAIN_IMAGES)),
        "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
    double torch = torchMean();
    Split data = FashionMnist.load();
    double sum = 0;
    StringBuilder perSeed = new StringBuilder();
    try (Backend be = new PyTorchBackend(Device.CPU, 1)) {
      for (long seed = 1; seed <= 5; seed++) {
        double acc = 100 * MlpAcceptanceTest.trainMlp(be, data, seed, 3, 128, 0.1, 10).last().testAccuracy();
        sum += acc;
        perSeed.append(String.format(" %.2f", acc));
      }
    }
    double gradus = sum / 5;
    System.out.printf("Fashion-MNIST MLP SGD 3 epochs: Gradus mean %.2f (seeds 1-5:%s), PyTorch mean %.2f%n", gradus, perSeed, torch);
    assertEquals(torch, gradus, 1.5, "Gradus per seed:" + perSeed);
  }
}
