package dev.gradus.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatasetTest {
  private static final List<String> NAMES = List.of("a", "b", "c");

  /** Four 2x3 examples; example i holds values 10*i .. 10*i+5. */
  private static Dataset sample() {
    float[] f = new float[4 * 6];
    for (int i = 0; i < 4; i++) for (int j = 0; j < 6; j++) f[i * 6 + j] = 10 * i + j;
    return new Dataset("toy", f, 4, new int[] {2, 3}, new int[] {0, 2, 1, 2}, 3, NAMES,
        Map.of("size", new double[] {0.1, 0.2, 0.3, 0.4}));
  }

  private static IllegalArgumentException invalid(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run);
  }

  @Test
  void accessors() {
    Dataset d = sample();
    assertEquals("toy", d.name());
    assertEquals(4, d.size());
    assertEquals(6, d.featureCount());
    assertArrayEquals(new int[] {2, 3}, d.exampleShape());
    d.exampleShape()[0] = 99;
    assertArrayEquals(new int[] {2, 3}, d.exampleShape(), "exampleShape() must return a copy");
    assertEquals(3, d.numClasses());
    assertEquals(NAMES, d.classNames());
    assertEquals(List.of("size"), List.copyOf(d.metadataKeys()));
    assertArrayEquals(new int[] {1, 1, 2}, d.classCounts());
    assertEquals(784, new Dataset("m", new float[784], 1, new int[] {28, 28}, new int[] {0}, 1, List.of("x"), Map.of())
        .featureCount());
  }

  @Test
  void missingMetadataNamesAvailableKeys() {
    IllegalArgumentException e = invalid(() -> sample().metadata("rotation"));
    assertTrue(e.getMessage().contains("rotation") && e.getMessage().contains("size"), e.getMessage());
  }

  @Test
  void gatherAndSubset() {
    Dataset d = sample();
    int[] rows = {3, 1, 3};
    float[] f = d.gatherFeatures(rows);
    assertEquals(18, f.length);
    assertEquals(30f, f[0]);
    assertEquals(15f, f[11]);
    assertEquals(35f, f[17]);
    assertArrayEquals(new int[] {2, 2, 2}, d.gatherLabels(rows));

    Dataset s = d.subset(new int[] {2, 0});
    assertEquals(2, s.size());
    assertArrayEquals(new int[] {1, 0}, s.labels());
    assertArrayEquals(new double[] {0.3, 0.1}, s.metadata("size"));
    assertEquals(20f, s.features()[0]);
    assertEquals(5f, s.features()[11]);
    assertArrayEquals(new int[] {2, 3}, s.exampleShape());

    Dataset h = d.head(2);
    assertArrayEquals(new int[] {0, 2}, h.labels());
    assertEquals(0, d.head(0).size());
    invalid(() -> d.head(5));
    assertThrows(IndexOutOfBoundsException.class, () -> d.gatherFeatures(new int[] {4}));
    assertThrows(IndexOutOfBoundsException.class, () -> d.gatherLabels(new int[] {-1}));
  }

  @Test
  void validation() {
    float[] f = new float[12];
    int[] shape = {2, 3};
    int[] y = {0, 1};
    String m;
    m = invalid(() -> new Dataset("t", new float[11], 2, shape, y, 3, NAMES, Map.of())).getMessage();
    assertTrue(m.contains("features has 11"), m);
    m = invalid(() -> new Dataset("t", f, 2, shape, new int[] {0}, 3, NAMES, Map.of())).getMessage();
    assertTrue(m.contains("labels has 1"), m);
    m = invalid(() -> new Dataset("t", f, 2, shape, new int[] {0, 3}, 3, NAMES, Map.of())).getMessage();
    assertTrue(m.contains("label 3") && m.contains("0..2"), m);
    m = invalid(() -> new Dataset("t", f, 2, shape, new int[] {-1, 0}, 3, NAMES, Map.of())).getMessage();
    assertTrue(m.contains("label -1"), m);
    m = invalid(() -> new Dataset("t", f, 2, shape, y, 2, NAMES, Map.of())).getMessage();
    assertTrue(m.contains("classNames has 3"), m);
    m = invalid(() -> new Dataset("t", f, 2, new int[] {2, 0}, y, 3, NAMES, Map.of())).getMessage();
    assertTrue(m.contains("exampleShape"), m);
    m = invalid(() -> new Dataset("t", f, 2, new int[0], y, 3, NAMES, Map.of())).getMessage();
    assertTrue(m.contains("exampleShape"), m);
    m = invalid(() -> new Dataset("t", f, 2, shape, y, 3, NAMES, Map.of("k", new double[3]))).getMessage();
    assertTrue(m.contains("metadata 'k' has 3"), m);
    m = invalid(() -> new Dataset("t", f, -1, shape, y, 3, NAMES, Map.of())).getMessage();
    assertTrue(m.contains("size"), m);
    invalid(() -> new Dataset(null, f, 2, shape, y, 3, NAMES, Map.of()));
    invalid(() -> new Dataset("t", null, 2, shape, y, 3, NAMES, Map.of()));
    invalid(() -> new Dataset("t", f, 2, shape, y, 0, List.of(), Map.of()));
  }
}
