package dev.gradus.engine.init;

import static dev.gradus.engine.init.BasicInitializersTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.random.RandomStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SparseAndIdentityTest {
  @Test
  void eachUnitHasExactlyKNonZeroIncomingWeightsAtItsOwnPositions() {
    int units = 400, inputs = 40, k = 15;
    double[] w = new Sparse().sample(new long[] {units, inputs}, inputs, units, new RandomStream("init", 11));
    Set<Set<Integer>> positionSets = new HashSet<>();
    List<Double> values = new ArrayList<>();
    int[] perColumn = new int[inputs];
    for (int r = 0; r < units; r++) {
      Set<Integer> pos = new HashSet<>();
      for (int c = 0; c < inputs; c++) {
        double x = w[r * inputs + c];
        if (x != 0.0) {
          pos.add(c);
          values.add(x);
          perColumn[c]++;
        }
      }
      assertEquals(k, pos.size(), "non-zeros in row " + r);
      positionSets.add(pos);
    }
    // two rows share a position set with probability 1/C(40,15) ≈ 2.5e-11 per pair
    assertEquals(units, positionSets.size(), "rows with identical positions");
    // positions uniform: each column is chosen Binomial(400, 15/40) times, mean 150, sd ≈ 9.7
    double p = (double) k / inputs, sd = Math.sqrt(units * p * (1 - p));
    for (int c = 0; c < inputs; c++) assertEquals(units * p, perColumn[c], 5 * sd, "column " + c);
    // values N(0, 1): 6000 draws
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Stats.assertNormal("sparse non-zeros", v, 0.0, 1.0);
  }

  @Test
  void scaleMultipliesAndKEqualToFanInFillsEveryWeight() {
    double[] w = new Sparse(8, 0.1).sample(new long[] {500, 8}, 8, 500, new RandomStream("init", 12));
    for (double x : w) assertTrue(x != 0.0);
    Stats.assertNormal("sparse(k=8, scale=0.1)", w, 0.0, 0.01);
    assertEquals("sparse", new Sparse().name());
    assertEquals("sparse(k=8, scale=0.1)", new Sparse(8, 0.1).name());
    assertEquals("sparse(k=3)", new Sparse(3).name());
  }

  @Test
  void sparseErrors() {
    assertMessage(() -> new Sparse().sample(new long[] {20, 10}, 10, 20, new RandomStream("x", 1)),
        "sparse initialization gives each unit k=15 non-zero incoming weights, but each unit here has only 10 inputs (fan-in 10)");
    assertMessage(() -> new Sparse(0), "sparse k (non-zero weights per unit) must be >= 1, got 0");
    assertMessage(() -> new Sparse(3, 0), "sparse scale must be > 0 and finite, got 0.0");
    assertMessage(() -> new Sparse(1).sample(new long[] {5}, 1, 5, new RandomStream("x", 1)),
        "sparse initialization is for weight matrices (2 or more dimensions), got shape [5]");
  }

  @Test
  void identityIsGainTimesTheIdentityForSquareLayers() {
    double[] w = new Identity(2.0).sample(new long[] {5, 5}, 5, 5, new RandomStream("x", 1));
    for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) assertEquals(i == j ? 2.0 : 0.0, w[i * 5 + j], 0.0);
    assertEquals("identity", new Identity().name());
    assertEquals("identity(gain=2.0)", new Identity(2).name());
    assertMessage(() -> new Identity().sample(new long[] {4, 5}, 5, 4, new RandomStream("x", 1)),
        "identity initialization needs a square weight matrix (units = inputs), got shape [4, 5]");
    assertMessage(() -> new Identity().sample(new long[] {4}, 4, 4, new RandomStream("x", 1)),
        "identity initialization needs a square weight matrix (units = inputs), got shape [4]");
  }
}
