package dev.gradus.curricula;

import dev.gradus.engine.curriculum.Curriculum;
import java.util.Map;

/** A service-loaded factory (registered by the test-scope META-INF/services file). */
public final class RegistryTestFactory implements CurriculumFactory {
  @Override
  public String name() {
    return "test-linear-easy-first";
  }

  @Override
  public Curriculum create(Map<String, Double> args) {
    double from = args.getOrDefault("from", 0.1);
    int epochs = args.getOrDefault("epochs", 5.0).intValue();
    return new Paced(Difficulties.metadata("d"), Pacings.linear(from, epochs), Paced.Order.EASY_FIRST);
  }
}
