package dev.gradus.experiments.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.experiments.ConfigurationSummary;
import dev.gradus.experiments.SweepRecord;
import dev.gradus.experiments.SweepStatistic;
import dev.gradus.experiments.Sweeps;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Java parity program builds (Maven compiles it with the tests) and runs, and its sweep record says what it ran. */
class SweepFromJavaTest {
  @Test
  void javaProgramRunsASweepAndReadsItsSummary() throws Exception {
    Path runs = Files.createTempDirectory("gradus-java-sweep");
    PrintStream stdout = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true));
    try {
      SweepFromJava.main(new String[] {runs.toString(), "--in-process"});
    } finally {
      System.setOut(stdout);
    }
    SweepRecord record = Sweeps.read(runs, "java-lr");
    assertEquals(4, record.getTrials().size());
    assertTrue(record.getTrials().stream().allMatch(t -> t.getStatus().equals("finished") && t.getRun() != null));
    assertEquals(List.of("java-shapes-lr0.05", "java-shapes-lr0.3"),
        record.getConfigurations().stream().map(ConfigurationSummary::getConfiguration).toList());
    for (ConfigurationSummary c : record.getConfigurations()) {
      assertEquals(2, c.getRuns());
      SweepStatistic loss = c.getStatistics().get("test.loss");
      assertNotNull(loss);
      assertTrue(loss.getMin() <= loss.getMean() && loss.getMean() <= loss.getMax());
    }
    String best = record.getConfigurations().stream()
        .min((a, b) -> Double.compare(a.getStatistics().get("test.loss").getMean(), b.getStatistics().get("test.loss").getMean()))
        .get().getConfiguration();
    assertEquals(best, record.getBest());
    assertEquals("min test.loss", record.getBestBy());
    assertEquals(Boolean.TRUE, record.getClaims().get(0).getHolds());
    String out = printed.toString();
    assertTrue(out.contains("best by min test.loss: " + best), out);
    assertTrue(out.contains("java-shapes-lr0.3: test.loss ") && out.contains(" ± "), out);
  }
}
