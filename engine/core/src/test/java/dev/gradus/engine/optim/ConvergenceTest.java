package dev.gradus.engine.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.tensor.reference.ReferenceBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every case of {@link ConvergenceSuite} reaches its tolerance within its budget; the table is printed. */
class ConvergenceTest {
  @TestFactory
  List<DynamicTest> illConditionedQuadratic() {
    return cases(TestProblems.illConditionedQuadratic(10, 100), ConvergenceSuite.QUADRATIC_TOLERANCE, ConvergenceSuite.quadraticCases());
  }

  @TestFactory
  List<DynamicTest> rosenbrock() {
    return cases(TestProblems.rosenbrock(), ConvergenceSuite.ROSENBROCK_TOLERANCE, ConvergenceSuite.rosenbrockCases());
  }

  private static List<DynamicTest> cases(TestProblems.Objective objective, double tolerance, List<ConvergenceSuite.Case> cases) {
    List<DynamicTest> out = new ArrayList<>();
    for (ConvergenceSuite.Case c : cases) {
      out.add(DynamicTest.dynamicTest(c.name(), () -> {
        ConvergenceSuite.Row r = ConvergenceSuite.row(new ReferenceBackend(), objective, tolerance, c);
        System.out.printf(Locale.ROOT, "steps to f ≤ %.0e on %-28s %-52s %6d of %6d %s%n", tolerance, objective.name(), c.name(),
            r.result().steps(), c.budget(), r.result().reached() ? "" : "NOT REACHED, gap " + r.result().gap());
        assertTrue(r.result().reached(), c.name() + " on " + objective.name() + ": " + r.result());
      }));
    }
    return out;
  }
}
