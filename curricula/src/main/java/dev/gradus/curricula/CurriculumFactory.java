package dev.gradus.curricula;

import dev.gradus.engine.curriculum.Curriculum;
import java.util.Map;

/**
 * Makes a user-defined curriculum from numeric arguments, so that a team's reusable curricula can
 * be named in an experiment and recorded by name and arguments (Deep Learning §8.7.5 leaves the
 * choice of curriculum to the practitioner; this is where a lab keeps its own).
 *
 * <p>Register one with {@link CurriculumRegistry#register}, or ship it in a jar with a
 * {@code META-INF/services/dev.gradus.curricula.CurriculumFactory} file naming the class, which
 * must then have a public no-argument constructor and override {@link #name()}.
 */
@FunctionalInterface
public interface CurriculumFactory {
  /** A new curriculum (curricula keep state across epochs: one per run). */
  Curriculum create(Map<String, Double> args);

  /**
   * The name a {@link java.util.ServiceLoader}-loaded factory registers under. Factories given
   * to {@link CurriculumRegistry#register} are named there and need not override it.
   */
  default String name() {
    throw new UnsupportedOperationException(getClass().getName() + " must override CurriculumFactory.name() to be loaded as a service");
  }
}
