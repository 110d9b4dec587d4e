package dev.gradus.engine.tensor;

/**
 * A region that owns every tensor made while it is the innermost open scope on this thread;
 * closing it frees them all. The trainer opens one per step so that intermediates are released
 * deterministically instead of waiting for the garbage collector.
 */
public interface MemoryScope extends AutoCloseable {
  /**
   * Moves {@code t} to the enclosing scope (or to the backend itself when this scope is
   * outermost), so that it survives this scope's close. Returns {@code t}.
   */
  Tensor keep(Tensor t);

  @Override
  void close();
}
