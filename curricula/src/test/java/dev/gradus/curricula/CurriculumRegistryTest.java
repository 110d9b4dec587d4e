package dev.gradus.curricula;

import static dev.gradus.curricula.PacingsTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.curriculum.Curriculum;
import dev.gradus.engine.curriculum.EpochPlan;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CurriculumRegistryTest {
  @Test
  void registeredFactoriesCreateCurriculaFromArguments() {
    CurriculumRegistry r = new CurriculumRegistry();
    r.register("first-third", args -> new Paced(Difficulties.metadata("d"), Pacings.fixed(args.getOrDefault("share", 1 / 3.0)), Paced.Order.EASY_FIRST));
    Curriculum c = r.create("first-third", Map.of("share", 0.5));
    EpochPlan p = Fixtures.run(c, Fixtures.data("d", Fixtures.scrambled(10)), 1, 1).get(0);
    assertEquals(5, p.order().length);
    assertTrue(r.contains("first-third"));
    assertMessage(() -> r.create("last-third", Map.of()), "unknown curriculum 'last-third'", "first-third");
    assertMessage(() -> r.register("first-third", args -> c), "already registered");
    assertMessage(() -> r.register(" ", args -> c), "blank");
    r.register("broken", args -> null);
    assertThrows(IllegalStateException.class, () -> r.create("broken", Map.of()));
    assertMessage(() -> new CurriculumRegistry().create("x", null), "(none registered)");
  }

  @Test
  void servicesOnTheClassPathAreLoadedByName() {
    CurriculumRegistry r = CurriculumRegistry.withServices();
    assertTrue(r.names().contains("test-linear-easy-first"), r.names().toString());
    Curriculum c = r.create("test-linear-easy-first", Map.of("from", 0.2, "epochs", 2.0));
    List<EpochPlan> plans = Fixtures.run(c, Fixtures.data("d", Fixtures.scrambled(10)), 3, 1);
    assertEquals(List.of(2, 6, 10), plans.stream().map(p -> p.order().length).toList());
    // loading again into the same registry clashes by name
    assertMessage(() -> r.loadServices(Thread.currentThread().getContextClassLoader()), "test-linear-easy-first", "already registered");
  }

  @Test
  void aLambdaHasNoServiceName() {
    CurriculumFactory f = args -> null;
    assertThrows(UnsupportedOperationException.class, f::name);
  }
}
