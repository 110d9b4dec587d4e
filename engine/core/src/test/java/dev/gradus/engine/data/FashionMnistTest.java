package dev.gradus.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
  @TempDir Path dir;

  // ---- real files -------------------------------------------------------------------------

  @Test
  void loadsTheInstalledDataSet() {
    assumeTrue(Files.isRegularFile(FashionMnist.DEFAULT_DIR.resolve(FashionMnist.TRAIN_IMAGES)),
        "Fashion-MNIST not installed in " + FashionMnist.DEFAULT_DIR);
    long t0 = System.nanoTime();
    Split s = FashionMnist.load(FashionMnist.DEFAULT_DIR);
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("Fashion-MNIST loaded in %.3f s%n", seconds);

    Dataset train = s.train(), test = s.test();
    assertEquals(60000, train.size());
    assertEquals(10000, test.size());
    assertEquals(784, train.featureCount());
    assertArrayEquals(new int[] {28, 28}, train.exampleShape());
    assertEquals(FashionMnist.CLASS_NAMES, train.classNames());
    int[] expected = new int[10];
    Arrays.fill(expected, 6000);
    assertArrayEquals(expected, train.classCounts());
    Arrays.fill(expected, 1000);
    assertArrayEquals(expected, test.classCounts());
    float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
    for (float v : train.features()) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertEquals(0f, min);
    assertEquals(1f, max);
  }

  // ---- crafted files ----------------------------------------------------------------------

  @Test
  void readsCraftedFilesAndScalesPixels() throws IOException {
    writeAll(dir, 3, 2);
    Split s = FashionMnist.load(dir);
    assertEquals(3, s.train().size());
    assertEquals(2, s.test().size());
    float[] f = s.train().features();
    assertEquals(0f, f[0]);
    assertEquals(1f / 255f, f[1]);
    assertEquals(1f, f[255]);
    assertArrayEquals(new int[] {0, 1, 2}, s.train().labels());
  }

  @Test
  void missingFileSaysHowToInstall() throws IOException {
    writeAll(dir, 3, 2);
    Files.delete(dir.resolve(FashionMnist.TEST_LABELS));
    DataException e = assertThrows(DataException.class, () -> FashionMnist.load(dir));
    String m = e.getMessage();
    assertTrue(m.contains(dir.resolve(FashionMnist.TEST_LABELS).toString()), m);
    assertTrue(m.contains("dataset-fashion-mnist") && m.contains("apt-get install") && m.contains("GRADUS_DATA"), m);
  }

  @Test
  void wrongMagicNumber() throws IOException {
    writeAll(dir, 3, 2);
    // a labels file where an images file belongs
    Path images = dir.resolve(FashionMnist.TRAIN_IMAGES);
    Files.copy(dir.resolve(FashionMnist.TRAIN_LABELS), images, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    String m = assertThrows(DataException.class, () -> FashionMnist.load(dir)).getMessage();
    assertTrue(m.contains(images.toString()), m);
    assertTrue(m.contains("expected magic number 0x00000803") && m.contains("found 0x00000801"), m);
  }

  @Test
  void truncatedGzip() throws IOException {
    writeAll(dir, 3, 2);
    Path images = dir.resolve(FashionMnist.TRAIN_IMAGES);
    byte[] whole = Files.readAllBytes(images);
    Files.write(images, Arrays.copyOf(whole, whole.length / 2));
    String m = assertThrows(DataException.class, () -> FashionMnist.load(dir)).getMessage();
    assertTrue(m.contains(images.toString()) && m.contains("truncated or corrupt gzip"), m);
  }

  @Test
  void notGzipAtAll() throws IOException {
    writeAll(dir, 3, 2);
    Path labels = dir.resolve(FashionMnist.TRAIN_LABELS);
    Files.writeString(labels, "this is not gzip");
    String m = assertThrows(DataException.class, () -> FashionMnist.load(dir)).getMessage();
    assertTrue(m.contains(labels.toString()) && m.contains("gzip"), m);
  }

  @Test
  void payloadShorterThanHeaderPromises() throws IOException {
    writeAll(dir, 3, 2);
    Path images = dir.resolve(FashionMnist.TRAIN_IMAGES);
    // header says 5 images, body holds 3
    gzip(images, idx(Idx.IMAGES_MAGIC, new int[] {5, 28, 28}, pixels(3)));
    String m = assertThrows(DataException.class, () -> FashionMnist.load(dir)).getMessage();
    assertTrue(m.contains(images.toString()) && m.contains("truncated data") && m.contains("5 images"), m);
  }

  @Test
  void implausibleHeaderFailsBeforeAllocating() throws IOException {
    writeAll(dir, 3, 2);
    Path images = dir.resolve(FashionMnist.TRAIN_IMAGES);
    gzip(images, idx(Idx.IMAGES_MAGIC, new int[] {1_000_000, 28, 28}, pixels(1)));
    String m = assertThrows(DataException.class, () -> FashionMnist.load(dir)).getMessage();
    assertTrue(m.contains(images.toString()) && m.contains("1000000 images"), m);
  }

  @Test
  void truncatedHeader() throws IOException {
    writeAll(dir, 3, 2);
    Path labels = dir.resolve(FashionMnist.TEST_LABELS);
    gzip(labels, new byte[] {0, 0, 8, 1, 0, 0});
    String m = assertThrows(DataException.class, () -> FashionMnist.load(dir)).getMessage();
    assertTrue(m.contains(labels.toString()) && m.contains("truncated IDX header"), m);
  }

  @Test
  void countMismatch() throws IOException {
    writeAll(dir, 3, 2);
    Path labels = dir.resolve(FashionMnist.TRAIN_LABELS);
    gzip(labels, idx(Idx.LABELS_MAGIC, new int[] {2}, new byte[] {0, 1}));
    String m = assertThrows(DataException.class, () -> FashionMnist.load(dir)).getMessage();
    assertTrue(m.contains("3 images") && m.contains("2 labels") && m.contains(labels.toString()), m);
  }

  @Test
  void wrongImageSize() throws IOException {
    writeAll(dir, 3, 2);
    Path images = dir.resolve(FashionMnist.TEST_IMAGES);
    gzip(images, idx(Idx.IMAGES_MAGIC, new int[] {2, 4, 4}, new byte[32]));
    String m = assertThrows(DataException.class, () -> FashionMnist.load(dir)).getMessage();
    assertTrue(m.contains(images.toString()) && m.contains("28x28") && m.contains("4x4"), m);
  }

  // ---- folder resolution ------------------------------------------------------------------

  @Test
  void resolveDirOrder() throws IOException {
    Path explicit = dir.resolve("explicit");
    assertEquals(explicit, FashionMnist.resolveDir(explicit, Map.of("GRADUS_DATA", dir.toString())));
    assertEquals(FashionMnist.DEFAULT_DIR, FashionMnist.resolveDir(null, Map.of()));
    assertEquals(FashionMnist.DEFAULT_DIR, FashionMnist.resolveDir(null, Map.of("GRADUS_DATA", "  ")));

    // GRADUS_DATA names a parent holding fashion-mnist/
    Path child = Files.createDirectories(dir.resolve("fashion-mnist"));
    assertEquals(child, FashionMnist.resolveDir(null, Map.of("GRADUS_DATA", dir.toString())));

    // GRADUS_DATA names the folder itself
    Path own = Files.createDirectories(dir.resolve("own"));
    writeAll(own, 1, 1);
    assertEquals(own, FashionMnist.resolveDir(null, Map.of("GRADUS_DATA", own.toString())));

    // a folder that holds neither is returned as is, so the load error names it
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertEquals(empty, FashionMnist.resolveDir(null, Map.of("GRADUS_DATA", empty.toString())));
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** Writes the four files: train images i have pixels (i*784 + j) % 256, labels i % 10. */
  private static void writeAll(Path d, int train, int test) throws IOException {
    gzip(d.resolve(FashionMnist.TRAIN_IMAGES), idx(Idx.IMAGES_MAGIC, new int[] {train, 28, 28}, pixels(train)));
    gzip(d.resolve(FashionMnist.TRAIN_LABELS), idx(Idx.LABELS_MAGIC, new int[] {train}, labels(train)));
    gzip(d.resolve(FashionMnist.TEST_IMAGES), idx(Idx.IMAGES_MAGIC, new int[] {test, 28, 28}, pixels(test)));
    gzip(d.resolve(FashionMnist.TEST_LABELS), idx(Idx.LABELS_MAGIC, new int[] {test}, labels(test)));
  }

  private static byte[] pixels(int n) {
    byte[] b = new byte[n * 784];
    for (int i = 0; i < b.length; i++) b[i] = (byte) i;
    return b;
  }

  private static byte[] labels(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) b[i] = (byte) (i % 10);
    return b;
  }

  private static byte[] idx(int magic, int[] dims, byte[] body) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(magic);
      for (int d : dims) out.writeInt(d);
      out.write(body);
    }
    return bytes.toByteArray();
  }

  private static void gzip(Path file, byte[] content) throws IOException {
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(content);
    }
  }
}
