package dev.gradus.curricula;

import dev.gradus.engine.curriculum.Curriculum;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * User-defined, reusable curricula by name. The built-in strategies of this package are built
 * directly (by the DSL or by their constructors); this registry is for a team's own ones, added
 * by {@link #register} or found on the class path by {@link ServiceLoader}
 * ({@code META-INF/services/dev.gradus.curricula.CurriculumFactory}), so that an experiment can
 * name a curriculum shipped in a separate jar without code changes. Thread-safe.
 */
public final class CurriculumRegistry {
  private final TreeMap<String, CurriculumFactory> factories = new TreeMap<>();

  /** An empty registry. */
  public CurriculumRegistry() {}

  private static CurriculumRegistry shared;

  /**
   * The registry experiments resolve {@code custom(name)} curricula in: the class path's services
   * (loaded on first use), plus what scripts and programs {@link #define}.
   */
  public static synchronized CurriculumRegistry shared() {
    if (shared == null) shared = withServices();
    return shared;
  }

  /**
   * Adds or replaces {@code name}: a shared script that defines its curricula may be evaluated
   * more than once in one JVM, and the latest definition is the one it meant.
   */
  public synchronized CurriculumRegistry define(String name, CurriculumFactory factory) {
    if (name == null || name.isBlank()) throw new IllegalArgumentException("curriculum name must not be blank, got '" + name + "'");
    Objects.requireNonNull(factory, "factory");
    factories.put(name, factory);
    return this;
  }

  /** A registry holding every factory the context class loader's services provide. */
  public static CurriculumRegistry withServices() {
    CurriculumRegistry r = new CurriculumRegistry();
    r.loadServices(Thread.currentThread().getContextClassLoader());
    return r;
  }

  /**
   * Registers every {@link CurriculumFactory} service visible to {@code loader} under its
   * {@link CurriculumFactory#name()}; returns the names added. A service that cannot be
   * instantiated, has no name, or clashes with a registered name is an error naming it.
   */
  public List<String> loadServices(ClassLoader loader) {
    List<String> added = new ArrayList<>();
    try {
      for (CurriculumFactory f : ServiceLoader.load(CurriculumFactory.class, loader)) {
        String name;
        try {
          name = f.name();
        } catch (UnsupportedOperationException e) {
          throw new IllegalStateException("curriculum service " + f.getClass().getName() + " does not override name()", e);
        }
        register(name, f);
        added.add(name);
      }
    } catch (ServiceConfigurationError e) {
      throw new IllegalStateException("cannot load curriculum services: " + e.getMessage(), e);
    }
    return added;
  }

  /** Adds {@code factory} under {@code name}; a name may be registered once. */
  public synchronized CurriculumRegistry register(String name, CurriculumFactory factory) {
    if (name == null || name.isBlank()) throw new IllegalArgumentException("curriculum name must not be blank, got '" + name + "'");
    Objects.requireNonNull(factory, "factory");
    CurriculumFactory old = factories.get(name);
    if (old != null) {
      throw new IllegalArgumentException("curriculum '" + name + "' is already registered (" + old.getClass().getName() + ")");
    }
    factories.put(name, factory);
    return this;
  }

  public synchronized boolean contains(String name) {
    return factories.containsKey(name);
  }

  /** The registered names, sorted. */
  public synchronized Set<String> names() {
    return Set.copyOf(factories.keySet());
  }

  /** A new curriculum from the factory registered as {@code name}; the error lists the known names. */
  public Curriculum create(String name, Map<String, Double> args) {
    CurriculumFactory f;
    List<String> known;
    synchronized (this) {
      f = factories.get(name);
      known = new ArrayList<>(factories.keySet());
    }
    if (f == null) throw new IllegalArgumentException("unknown curriculum '" + name + "'; known: " + (known.isEmpty() ? "(none registered)" : String.join(", ", known)));
    Curriculum c = f.create(args == null ? Map.of() : Map.copyOf(args));
    if (c == null) throw new IllegalStateException("curriculum factory '" + name + "' returned null for args " + args);
    return c;
  }
}
