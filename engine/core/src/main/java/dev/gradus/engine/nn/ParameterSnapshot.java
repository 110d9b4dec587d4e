package dev.gradus.engine.nn;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The values of a model's parameters and buffers, held as doubles by path, apart from any
 * backend: what a run record keeps ({@code parameters.bin}) so that later runs can copy layers
 * from it. The file format is small and exact: a magic line, then per entry its path, buffer
 * flag, shape and float64 values, big-endian; float32 parameters round-trip exactly.
 */
public final class ParameterSnapshot {
  private static final String MAGIC = "gradus-parameters-v1";

  /** One entry: shape, values, and whether it is a buffer. */
  public record Entry(long[] shape, double[] values, boolean buffer) {
    public Entry {
      long n = 1;
      for (long d : shape) n *= d;
      if (n != values.length) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got " + values.length);
    }
  }

  private final Map<String, Entry> entries;

  public ParameterSnapshot(Map<String, Entry> entries) {
    this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
  }

  /** A copy of every parameter and buffer of {@code params}. */
  public static ParameterSnapshot of(ParameterSet params) {
    Map<String, Entry> out = new LinkedHashMap<>();
    for (Parameter p : params.entries().values()) {
      out.put(p.path(), new Entry(p.value().shape().clone(), p.value().toDoubles(), p.isBuffer()));
    }
    return new ParameterSnapshot(out);
  }

  public Map<String, Entry> entries() {
    return entries;
  }

  /** Writes the snapshot to {@code file} atomically (a temporary file, then a rename). */
  public void write(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      try (OutputStream os = Files.newOutputStream(tmp)) {
        write(os);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  public void write(OutputStream os) throws IOException {
    DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(os));
    out.writeUTF(MAGIC);
    out.writeInt(entries.size());
    for (Map.Entry<String, Entry> e : entries.entrySet()) {
      out.writeUTF(e.getKey());
      out.writeBoolean(e.getValue().buffer());
      long[] shape = e.getValue().shape();
      out.writeInt(shape.length);
      for (long d : shape) out.writeLong(d);
      for (double v : e.getValue().values()) out.writeDouble(v);
    }
    out.flush();
  }

  /** Reads a snapshot written by {@link #write}; a clear error for anything else. */
  public static ParameterSnapshot read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) throw new IOException("no parameter file at " + file);
    try (InputStream is = Files.newInputStream(file)) {
      return read(is, file.toString());
    }
  }

  public static ParameterSnapshot read(InputStream is, String name) throws IOException {
    DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(is));
    try {
      String magic = in.readUTF();
      if (!MAGIC.equals(magic)) throw new IOException(name + " is not a Gradus parameter file (expected header " + MAGIC + ")");
      int n = in.readInt();
      Map<String, Entry> entries = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        String path = in.readUTF();
        boolean buffer = in.readBoolean();
        long[] shape = new long[in.readInt()];
        long size = 1;
        for (int d = 0; d < shape.length; d++) size *= shape[d] = in.readLong();
        double[] values = new double[Math.toIntExact(size)];
        for (int k = 0; k < values.length; k++) values[k] = in.readDouble();
        entries.put(path, new Entry(shape, values, buffer));
      }
      return new ParameterSnapshot(entries);
    } catch (EOFException | java.io.UTFDataFormatException e) {
      throw new IOException(name + " is truncated or not a Gradus parameter file", e);
    }
  }

  /** The bytes {@link #write} produces, for tests and hashing. */
  public byte[] toBytes() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try {
      write(b);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return b.toByteArray();
  }

  @Override
  public String toString() {
    return "ParameterSnapshot" + entries.keySet();
  }

}
