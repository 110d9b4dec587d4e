package dev.gradus.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.data.Shapeset.Family;
import dev.gradus.engine.random.RandomStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShapesetTest {
  private static Split gen(ShapesetConfig cfg, long seed) {
    return Shapeset.generate(cfg, new RandomStream("shapes", seed));
  }

  private static void assertSameData(Dataset a, Dataset b) {
    assertArrayEquals(a.features(), b.features());
    assertArrayEquals(a.labels(), b.labels());
    assertEquals(a.metadataKeys(), b.metadataKeys());
    for (String k : a.metadataKeys()) assertArrayEquals(a.metadata(k), b.metadata(k), k);
  }

  @Test
  void shapesAndNames() {
    Split s = gen(ShapesetConfig.basic(30, 20), 1);
    assertEquals(30, s.train().size());
    assertEquals(20, s.test().size());
    assertArrayEquals(new int[] {32, 32}, s.train().exampleShape());
    assertEquals(1024, s.train().featureCount());
    assertEquals(List.of("square", "circle", "equilateral triangle"), s.train().classNames());
    assertEquals("shapeset-basic/train", s.train().name());
    assertEquals(List.of("shape", "size", "rotation", "foreground", "background", "inverted", "x", "y"),
        List.copyOf(s.train().metadataKeys()));
    Split g = gen(ShapesetConfig.geometric(5, 5), 1);
    assertEquals(List.of("rectangle", "ellipse", "triangle"), g.train().classNames());
  }

  @Test
  void deterministicGivenSeed() {
    ShapesetConfig cfg = ShapesetConfig.basic(200, 100).withInversionProbability(0.3);
    Split a = gen(cfg, 42), b = gen(cfg, 42), c = gen(cfg, 43);
    assertSameData(a.train(), b.train());
    assertSameData(a.test(), b.test());
    assertFalse(Arrays.equals(a.train().features(), c.train().features()));
    // train first, test after, from one stream: test differs from a fresh stream's train
    assertFalse(Arrays.equals(a.test().features(), gen(ShapesetConfig.basic(100, 0), 42).train().features()));
    assertSameData(gen(ShapesetConfig.basic(200, 0), 42).train(), gen(ShapesetConfig.basic(200, 50), 42).train());
  }

  @Test
  void geometricIsDeterministicToo() {
    ShapesetConfig cfg = ShapesetConfig.geometric(300, 0);
    assertSameData(gen(cfg, 7).train(), gen(cfg, 7).train());
  }

  @Test
  void classesRoughlyBalanced() {
    for (Family f : Family.values()) {
      Dataset d = gen(ShapesetConfig.basic(3000, 0).withFamily(f), 5).train();
      for (int count : d.classCounts()) assertTrue(Math.abs(count - 1000) < 150, f + " " + Arrays.toString(d.classCounts()));
      double[] shape = d.metadata("shape");
      for (int i = 0; i < d.size(); i++) assertEquals(d.labels()[i], (int) shape[i]);
    }
  }

  @Test
  void pixelsInRangeImagesVisibleAndMetadataConsistent() {
    for (Family f : Family.values()) {
      ShapesetConfig cfg = ShapesetConfig.basic(1000, 0).withFamily(f).withInversionProbability(0.5);
      Dataset d = gen(cfg, 11).train();
      float[] x = d.features();
      double[] fg = d.metadata("foreground"), bg = d.metadata("background"), size = d.metadata("size");
      double[] inverted = d.metadata("inverted");
      int invertedCount = 0;
      for (int i = 0; i < d.size(); i++) {
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (int j = 0; j < 1024; j++) {
          float v = x[i * 1024 + j];
          assertTrue(v >= 0f && v <= 1f, "pixel " + v);
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
        assertTrue(max - min > 0.1, f + " image " + i + " is nearly constant");
        assertTrue(Math.abs(fg[i] - bg[i]) >= Shapeset.MIN_CONTRAST - 1e-12, "contrast " + fg[i] + " " + bg[i]);
        assertTrue(fg[i] >= 0 && fg[i] <= 1 && bg[i] >= 0 && bg[i] <= 1);
        // the bounding circle never reaches a corner, so the corner pixel is pure background
        assertEquals((float) bg[i], x[i * 1024]);
        assertEquals((float) bg[i], x[i * 1024 + 1023]);
        assertTrue(size[i] >= 0.4 && size[i] < 0.8);
        invertedCount += (int) inverted[i];
      }
      assertTrue(Math.abs(invertedCount - 500) < 80, "inverted " + invertedCount);
    }
  }

  @Test
  void shapesAreBrighterThanTheBackgroundUnlessInverted() {
    Dataset d = gen(ShapesetConfig.basic(300, 0), 4).train();
    Dataset inv = gen(ShapesetConfig.basic(300, 0).withInversionProbability(1), 4).train();
    for (int i = 0; i < d.size(); i++) {
      double fore = d.metadata("foreground")[i], back = d.metadata("background")[i];
      assertTrue(fore <= 1 && back >= 0 && fore - back >= Shapeset.MIN_CONTRAST - 1e-12, back + " -> " + fore);
      double ifore = inv.metadata("foreground")[i], iback = inv.metadata("background")[i];
      assertTrue(iback - ifore >= Shapeset.MIN_CONTRAST - 1e-12, "inverted: " + iback + " -> " + ifore);
    }
  }

  @Test
  void blackAndWhiteAndInversion() {
    ShapesetConfig bw = ShapesetConfig.basic(50, 0).withGreyLevels(false);
    Dataset d = gen(bw, 3).train();
    for (int i = 0; i < d.size(); i++) {
      assertEquals(0.0, d.metadata("background")[i]);
      assertEquals(1.0, d.metadata("foreground")[i]);
    }
    Dataset inv = gen(bw.withInversionProbability(1), 3).train();
    for (int i = 0; i < inv.size(); i++) {
      assertEquals(1.0, inv.metadata("inverted")[i]);
      assertEquals(1.0, inv.metadata("background")[i]);
    }
    // inversion consumes the same draws, so the inverted images are exactly 1 - v
    for (int j = 0; j < d.features().length; j++) assertEquals(1f - d.features()[j], inv.features()[j], 1e-6);
  }

  @Test
  void rotateFlagOnlyChangesRotation() {
    ShapesetConfig cfg = ShapesetConfig.basic(100, 0);
    Dataset rotated = gen(cfg, 9).train(), upright = gen(cfg.withRotate(false), 9).train();
    assertArrayEquals(rotated.labels(), upright.labels());
    assertArrayEquals(rotated.metadata("size"), upright.metadata("size"));
    for (double r : upright.metadata("rotation")) assertEquals(0.0, r);
    assertTrue(Arrays.stream(rotated.metadata("rotation")).allMatch(r -> r >= 0 && r < 2 * Math.PI));
    assertFalse(Arrays.equals(rotated.features(), upright.features()));
  }

  /** White-on-black upright shapes of known size: mean pixel = covered fraction of the image. */
  @Test
  void renderedAreaMatchesGeometry() {
    double s = 0.6;
    ShapesetConfig cfg = new ShapesetConfig(Family.BASIC, 32, 300, 0, s, s, false, 0, false);
    Dataset d = gen(cfg, 21).train();
    double[] expected = {
      s * s / 2, // square inscribed in the bounding circle: side s/sqrt(2)
      Math.PI * s * s / 4, // circle of diameter s
      3 * Math.sqrt(3) / 16 * s * s, // equilateral triangle of circumradius s/2
    };
    // 4x4 supersampling places an axis-aligned edge to within 1/8 pixel: up to ~0.007 per image
    double[] tolerance = {0.008, 0.004, 0.006};
    int[] seen = new int[3];
    double[] meanError = new double[3];
    for (int i = 0; i < d.size(); i++) {
      double mean = 0;
      for (int j = 0; j < 1024; j++) mean += d.features()[i * 1024 + j];
      mean /= 1024;
      int cls = d.labels()[i];
      seen[cls]++;
      assertEquals(expected[cls], mean, tolerance[cls], "class " + cls + " example " + i);
      meanError[cls] += mean - expected[cls];
    }
    for (int c = 0; c < 3; c++) {
      assertTrue(seen[c] > 50);
      assertEquals(0, meanError[c] / seen[c], 0.002, "average area error of class " + c);
    }
  }

  @Test
  void geometricShapesHaveSensibleArea() {
    double s = 0.7;
    ShapesetConfig cfg = new ShapesetConfig(Family.GEOMETRIC, 32, 600, 0, s, s, true, 0, false);
    Dataset d = gen(cfg, 4).train();
    double circle = Math.PI * s * s / 4;
    double box = s * s / 2; // square inscribed in the bounding circle
    for (int i = 0; i < d.size(); i++) {
      double mean = 0;
      for (int j = 0; j < 1024; j++) mean += d.features()[i * 1024 + j];
      mean /= 1024;
      int cls = d.labels()[i];
      double hi = cls == 1 ? circle : box;
      double lo = cls == 2 ? 0.1 * box : 0.3 * (cls == 1 ? circle : box * 0.8);
      assertTrue(mean <= hi + 0.01 && mean >= lo - 0.01, "class " + cls + " area " + mean + " not in " + lo + ".." + hi);
    }
  }

  @Test
  void configValidation() {
    ShapesetConfig ok = ShapesetConfig.basic(10, 10);
    assertEquals(32, ok.imageSize());
    assertEquals(0.4, ok.minSize());
    assertEquals(0.8, ok.maxSize());
    assertTrue(ok.rotate() && ok.greyLevels());
    assertEquals(0.0, ok.inversionProbability());
    assertMessage("minSize", () -> ok.withSizes(0, 0.5));
    assertMessage("minSize", () -> ok.withSizes(-0.1, 0.5));
    assertMessage("maxSize", () -> ok.withSizes(0.5, 1.5));
    assertMessage("<= maxSize", () -> ok.withSizes(0.7, 0.5));
    assertMessage("minSize", () -> ok.withSizes(Double.NaN, 0.5));
    assertMessage("inversionProbability", () -> ok.withInversionProbability(1.2));
    assertMessage("imageSize", () -> new ShapesetConfig(Family.BASIC, 2, 1, 1, 0.4, 0.8, true, 0, true));
    assertMessage("trainSize", () -> new ShapesetConfig(Family.BASIC, 32, -1, 1, 0.4, 0.8, true, 0, true));
    assertMessage("testSize", () -> new ShapesetConfig(Family.BASIC, 32, 1, -1, 0.4, 0.8, true, 0, true));
    assertMessage("family", () -> new ShapesetConfig(null, 32, 1, 1, 0.4, 0.8, true, 0, true));
    ok.withSizes(1, 1); // a shape may touch all four sides
  }

  @Test
  void tenThousandImagesQuickly() {
    ShapesetConfig cfg = ShapesetConfig.basic(10_000, 0);
    gen(ShapesetConfig.basic(2000, 0), 0); // warm up
    long t0 = System.nanoTime();
    Dataset d = gen(cfg, 1).train();
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("Shapeset: 10,000 32x32 images in %.3f s%n", seconds);
    assertEquals(10_000, d.size());
    assertTrue(seconds < 5, "took " + seconds + " s");
  }

  private static void assertMessage(String fragment, Runnable r) {
    String m = assertThrows(IllegalArgumentException.class, r::run).getMessage();
    assertTrue(m.contains(fragment), m);
  }
}
