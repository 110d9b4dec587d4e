package dev.gradus.engine.tensor;

import dev.gradus.engine.tensor.reference.ReferenceBackend;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** Finds backends by name among the providers on the class path. */
public final class Backends {
  /** The backend used when a run names none. */
  public static final String DEFAULT = "pytorch";

  private Backends() {}

  public static Map<String, BackendProvider> available() {
    Map<String, BackendProvider> byName = new LinkedHashMap<>();
    for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) byName.put(p.name(), p);
    byName.putIfAbsent(ReferenceBackend.NAME, ReferenceBackend.provider());
    return byName;
  }

  /**
   * Where Gradus keeps what it downloads or unpacks (libtorch, ND4J's natives, compiled scripts):
   * {@code GRADUS_CACHE}, else {@code ~/.cache/gradus}.
   */
  public static java.nio.file.Path cacheDir() {
    String env = System.getenv("GRADUS_CACHE");
    return env != null ? java.nio.file.Path.of(env) : java.nio.file.Path.of(System.getProperty("user.home"), ".cache", "gradus");
  }

  public static Backend create(String name, Device device, int threads) {
    Map<String, BackendProvider> all = available();
    BackendProvider p = all.get(name);
    if (p == null) {
      List<String> names = new ArrayList<>(all.keySet());
      throw new IllegalArgumentException(
          "unknown backend '" + name + "'; available on this class path: " + names);
    }
    return p.create(device, threads);
  }
}
