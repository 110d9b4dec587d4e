package dev.gradus.engine.tensor;

import java.util.Locale;

/**
 * Where a backend's tensors live. Parsed from "cpu", "cuda" or "cuda:N"; a backend that cannot
 * serve the requested device says so when it is created.
 */
public record Device(Kind kind, int index) {
  public enum Kind { CPU, CUDA }

  public static final Device CPU = new Device(Kind.CPU, 0);

  public Device {
    if (index < 0) throw new IllegalArgumentException("device index must be >= 0, got " + index);
  }

  public static Device cuda(int index) {
    return new Device(Kind.CUDA, index);
  }

  public static Device parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("cpu")) return CPU;
    if (t.equals("cuda") || t.equals("gpu")) return cuda(0);
    if (t.startsWith("cuda:")) {
      try {
        return cuda(Integer.parseInt(t.substring(5)));
      } catch (NumberFormatException e) {
        // fall through to the error below
      }
    }
    throw new IllegalArgumentException("unknown device '" + text + "': expected cpu, cuda or cuda:N");
  }

  @Override
  public String toString() {
    return kind == Kind.CPU ? "cpu" : "cuda:" + index;
  }
}
