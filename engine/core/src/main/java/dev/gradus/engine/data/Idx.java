package dev.gradus.engine.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader for gzipped IDX files (the MNIST family's format: a big-endian header, then unsigned
 * bytes). Kept apart from {@link FashionMnist} so that MNIST or KMNIST can reuse it.
 *
 * <p>Files are decompressed through large buffers, and image bytes are scaled into the float
 * array chunk by chunk rather than through a whole-file {@code byte[]}: the 47-million-pixel
 * Fashion-MNIST training images then load in about a third of a second.
 */
public final class Idx {
  /** Magic number of an unsigned-byte rank-3 array (images). */
  public static final int IMAGES_MAGIC = 0x00000803;
  /** Magic number of an unsigned-byte rank-1 array (labels). */
  public static final int LABELS_MAGIC = 0x00000801;

  private static final int BUFFER = 1 << 16;
  private static final float[] UNIT = new float[256];

  static {
    for (int i = 0; i < 256; i++) UNIT[i] = i / 255f;
  }

  private Idx() {}

  /** Images of {@code rows x cols} pixels, scaled to [0, 1], row-major, image after image. */
  public record Images(int count, int rows, int cols, float[] pixels) {}

  /** Reads a gzipped IDX3 image file, scaling each byte {@code v} to {@code v / 255f}. */
  public static Images readImages(Path file) {
    try (InputStream in = open(file)) {
      int magic = readInt(in, file, "magic number");
      checkMagic(file, magic, IMAGES_MAGIC, "images");
      int count = readDim(in, file, "image count");
      int rows = readDim(in, file, "row count");
      int cols = readDim(in, file, "column count");
      long total = (long) count * rows * cols;
      if (total > Integer.MAX_VALUE - 8) {
        throw new DataException(file + ": header promises " + count + " images of " + rows + "x" + cols
            + " pixels, more than one array can hold");
      }
      checkPlausible(file, total, count + " images of " + rows + "x" + cols + " pixels");
      float[] pixels = new float[(int) total];
      byte[] chunk = new byte[BUFFER];
      for (int done = 0; done < pixels.length; ) {
        int want = Math.min(BUFFER, pixels.length - done);
        int got = in.readNBytes(chunk, 0, want);
        for (int i = 0; i < got; i++) pixels[done + i] = UNIT[chunk[i] & 0xFF];
        done += got;
        if (got < want) throw truncated(file, count + " images of " + rows + "x" + cols + " pixels", pixels.length, done);
      }
      return new Images(count, rows, cols, pixels);
    } catch (IOException e) {
      throw ioFailure(file, e);
    }
  }

  /** Reads a gzipped IDX1 label file. */
  public static int[] readLabels(Path file) {
    try (InputStream in = open(file)) {
      int magic = readInt(in, file, "magic number");
      checkMagic(file, magic, LABELS_MAGIC, "labels");
      int count = readDim(in, file, "label count");
      checkPlausible(file, count, count + " labels");
      byte[] raw = readPayload(in, file, count, count + " labels");
      int[] labels = new int[count];
      for (int i = 0; i < count; i++) labels[i] = raw[i] & 0xFF;
      return labels;
    } catch (IOException e) {
      throw ioFailure(file, e);
    }
  }

  private static InputStream open(Path file) throws IOException {
    if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString());
    return new GZIPInputStream(new BufferedInputStream(Files.newInputStream(file), BUFFER), BUFFER);
  }

  private static void checkMagic(Path file, int found, int expected, String what) {
    if (found != expected) {
      throw new DataException(String.format(
          "%s: not an IDX %s file: expected magic number 0x%08X, found 0x%08X", file, what, expected, found));
    }
  }

  private static int readDim(InputStream in, Path file, String what) throws IOException {
    int v = readInt(in, file, what);
    if (v < 0) throw new DataException(file + ": corrupt IDX header: negative " + what + " " + v);
    return v;
  }

  private static int readInt(InputStream in, Path file, String what) throws IOException {
    byte[] b = in.readNBytes(4);
    if (b.length < 4) {
      throw new DataException(file + ": truncated IDX header: file ends before the " + what);
    }
    return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
  }

  private static byte[] readPayload(InputStream in, Path file, int length, String promised) throws IOException {
    byte[] raw = in.readNBytes(length);
    if (raw.length < length) throw truncated(file, promised, length, raw.length);
    return raw;
  }

  /**
   * Deflate expands at most about 1032:1, so a header promising more than that is corrupt; this
   * catches it before a huge allocation rather than after.
   */
  private static void checkPlausible(Path file, long bytes, String promised) throws IOException {
    long limit = 1100 * Files.size(file) + 1024;
    if (bytes > limit) {
      throw new DataException(file + ": corrupt or truncated: the header promises " + promised + " (" + bytes
          + " bytes), more than a " + Files.size(file) + "-byte gzip file can hold");
    }
  }

  private static DataException truncated(Path file, String promised, int length, int found) {
    return new DataException(file + ": truncated data: the header promises " + promised + " (" + length
        + " bytes) but only " + found + " bytes follow");
  }

  private static DataException ioFailure(Path file, IOException e) {
    if (e instanceof EOFException || e instanceof ZipException) {
      return new DataException(file + ": truncated or corrupt gzip data (" + e.getMessage() + ")", e);
    }
    if (e instanceof NoSuchFileException) {
      return new DataException(file + ": file not found", e);
    }
    return new DataException(file + ": cannot read: " + e, e);
  }
}
