package dev.gradus.engine.nd4j;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Chooses OpenBLAS's kernel before ND4J loads it. On virtual CPUs that hide their model
 * ("Intel Xeon Processor"), the dynamic-arch OpenBLAS bundled with ND4J falls back to a slow
 * generic kernel: measured here, the reference MLP's 8 products per step took 5.5–6 ms instead
 * of 1.5 ms with the AVX-512 kernel. OpenBLAS reads {@code OPENBLAS_CORETYPE} from the process
 * environment when it loads, so unless the user set it (or {@code -Dgradus.openblas.coretype=none}),
 * it is set from the CPU's flags, as the bench does for the PyTorch peer.
 */
final class OpenBlasKernel {
  private OpenBlasKernel() {}

  interface LibC extends Library {
    int setenv(String name, String value, int overwrite);
  }

  private static volatile String applied;

  /** The kernel OpenBLAS was told to use, or null when left to its own detection. */
  static String applied() {
    return applied != null ? applied : System.getenv("OPENBLAS_CORETYPE");
  }

  static synchronized void apply() {
    if (applied != null || System.getenv("OPENBLAS_CORETYPE") != null) return;
    String option = System.getProperty("gradus.openblas.coretype", "auto");
    if (option.equals("none")) return;
    String core = option.equals("auto") ? fromCpuFlags() : option;
    if (core == null) return;
    try {
      LibC libc = Native.loadLibrary("c", LibC.class);
      if (libc.setenv("OPENBLAS_CORETYPE", core, 0) == 0) applied = core;
    } catch (Throwable e) {
      // no libc through JNA: OpenBLAS keeps its own detection (correct, only maybe slower)
    }
  }

  static String fromCpuFlags() {
    Set<String> flags = new HashSet<>();
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
      for (String l : lines) {
        if (l.startsWith("flags")) {
          flags.addAll(Arrays.asList(l.substring(l.indexOf(':') + 1).trim().split("\\s+")));
          break;
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    if (flags.containsAll(List.of("avx512f", "avx512bw", "avx512vl"))) return "SkylakeX";
    if (flags.contains("avx2") && flags.contains("fma")) return "Haswell";
    return null;
  }
}
