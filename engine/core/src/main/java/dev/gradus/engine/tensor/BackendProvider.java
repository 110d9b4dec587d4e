package dev.gradus.engine.tensor;

/**
 * Makes backends of one kind; found through {@link java.util.ServiceLoader}, so a backend module
 * on the class path is all it takes to make its name available to {@link Backends}.
 */
public interface BackendProvider {
  /** The name users select it by ("pytorch", "reference"). */
  String name();

  /** One line saying what it is, for listings and error messages. */
  String summary();

  /** A backend on {@code device} whose native libraries use {@code threads} threads. */
  Backend create(Device device, int threads);
}
