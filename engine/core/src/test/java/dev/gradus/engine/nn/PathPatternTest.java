package dev.gradus.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PathPatternTest {
  private static void matches(String pattern, String... paths) {
    PathPattern p = PathPattern.of(pattern);
    for (String path : paths) assertTrue(p.matches(path), pattern + " should match " + path);
  }

  private static void rejects(String pattern, String... paths) {
    PathPattern p = PathPattern.of(pattern);
    for (String path : paths) assertFalse(p.matches(path), pattern + " should not match " + path);
  }

  @Test
  void literalMatchesOnlyItself() {
    matches("head.weight", "head.weight");
    rejects("head.weight", "head", "head.weight.x", "x.head.weight", "head.weights", "Head.weight", "");
  }

  @Test
  void doubleStarAtStart() {
    matches("**.bias", "bias", "layers.0.bias", "a.b.c.bias");
    rejects("**.bias", "layers.0.biases", "bias.x", "layers.0.weight", "layers.0.bias.grad");
  }

  @Test
  void doubleStarInMiddle() {
    matches("layers.**.weight", "layers.weight", "layers.1.weight", "layers.1.2.weight");
    rejects("layers.**.weight", "head.weight", "layers.1.bias", "x.layers.1.weight", "layers");
  }

  @Test
  void doubleStarAtEnd() {
    matches("layers.**", "layers", "layers.0", "layers.0.weight");
    rejects("layers.**", "layer", "head.layers", "layersx.0");
  }

  @Test
  void doubleStarAloneMatchesEverything() {
    matches("**", "a", "layers.0.weight");
    rejects("**", "");
  }

  @Test
  void singleStarIsExactlyOneSegment() {
    matches("layers.0.*", "layers.0.weight", "layers.0.bias");
    rejects("layers.0.*", "layers.0", "layers.0.a.b", "layers.1.weight", "layers.00.weight");
    matches("layers.*.weight", "layers.0.weight", "layers.17.weight");
    rejects("layers.*.weight", "layers.weight", "layers.1.2.weight", "layers.1.bias");
    matches("*", "bias");
    rejects("*", "layers.0");
  }

  @Test
  void combinedWildcards() {
    matches("**.*.bias", "a.bias", "a.b.bias");
    rejects("**.*.bias", "bias");
    matches("**.layers.**", "layers", "encoder.layers.3.weight");
  }

  @Test
  void segmentsAndToString() {
    PathPattern p = PathPattern.of("layers.*.weight");
    assertEquals(List.of("layers", "*", "weight"), p.segments());
    assertEquals("layers.*.weight", p.toString());
    assertEquals(PathPattern.of("a.b"), new PathPattern("a.b"));
  }

  @Test
  void malformedPatternsAreRejectedWithTheReason() {
    for (String bad : List.of("", ".bias", "bias.", "layers..weight", "lay*", "***", "layers.*x.weight", "a b", "**.")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PathPattern.of(bad), bad);
      assertTrue(e.getMessage().contains("malformed path pattern '" + bad + "'"), e.getMessage());
      assertFalse(PathPattern.isValid(bad));
    }
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PathPattern.of("lay*")).getMessage().contains("whole segments"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PathPattern.of("a..b")).getMessage().contains("two dots in a row"));
    assertThrows(IllegalArgumentException.class, () -> PathPattern.of(null));
    assertFalse(PathPattern.isValid(null));
  }
}
