package dev.gradus.engine.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.nn.PathPattern;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Tensor;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parameter groups: routing, default group, freezing, state keys, errors. */
class PartitionTest {
  private final Backend be = new ReferenceBackend();

  /** A two-layer MLP's paths plus a head; every value 1. */
  private ParameterSet params() {
    ParameterSet ps = new ParameterSet();
    ps.add(p("layers.0.weight", 2));
    ps.add(p("layers.0.bias", 1));
    ps.add(p("layers.1.weight", 2));
    ps.add(p("layers.1.bias", 1));
    ps.add(p("head.weight", 1));
    return ps;
  }

  private Parameter p(String path, int n) {
    double[] v = new double[n];
    java.util.Arrays.fill(v, 1.0);
    return new Parameter(path, be.detach(be.fromDoubles(v, n)), true);
  }

  /** Gradient 1 everywhere, in parameter order. */
  private Map<String, Tensor> ones(ParameterSet ps) {
    Map<String, Tensor> g = new LinkedHashMap<>();
    for (Parameter q : ps.all()) g.put(q.path(), be.full(q.value().dtype(), 1.0, q.value().shape()));
    return g;
  }

  private static GradientTransform lr(double v) {
    return new ScaleByLearningRate(Schedule.constant(v));
  }

  private Partition threeGroups() {
    return Transforms.partition()
        .group("no-decay", "**.bias", lr(0.1))
        .group("first", "layers.0.*", lr(1.0))
        .otherwise(lr(0.01))
        .build();
  }

  @Test
  void eachParameterGoesToTheFirstMatchingGroupElseTheDefault() {
    Partition part = threeGroups();
    ParameterSet ps = params();
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("layers.0.weight", "first");
    expected.put("layers.0.bias", "no-decay"); // matches both; the first group wins
    expected.put("layers.1.weight", Partition.DEFAULT_GROUP);
    expected.put("layers.1.bias", "no-decay");
    expected.put("head.weight", Partition.DEFAULT_GROUP);
    assertEquals(expected, part.assignment(ps));
    assertEquals(List.of("no-decay", "first", "default"), part.groupNames());

    GradientTransform.Update u = part.update(ones(ps), part.init(ps), ps);
    // each group scales by −its learning rate
    assertEquals(List.copyOf(expected.keySet()), List.copyOf(u.updates().keySet())); // gradient order kept
    assertArrayEquals(new double[] {-1.0, -1.0}, u.updates().get("layers.0.weight").toDoubles(), 0.0);
    assertArrayEquals(new double[] {-0.1}, u.updates().get("layers.0.bias").toDoubles(), 0.0);
    assertArrayEquals(new double[] {-0.01, -0.01}, u.updates().get("layers.1.weight").toDoubles(), 0.0);
    assertArrayEquals(new double[] {-0.1}, u.updates().get("layers.1.bias").toDoubles(), 0.0);
    assertArrayEquals(new double[] {-0.01}, u.updates().get("head.weight").toDoubles(), 0.0);
  }

  @Test
  void eachGroupSeesOnlyItsParameters() {
    List<List<String>> seenGradients = new ArrayList<>();
    List<List<String>> seenParams = new ArrayList<>();
    GradientTransform spy = new GradientTransform() {
      @Override
      public OptimizerState init(ParameterSet params) {
        seenParams.add(params.paths());
        return OptimizerState.EMPTY;
      }

      @Override
      public Update update(Map<String, Tensor> gradients, OptimizerState state, ParameterSet params) {
        seenGradients.add(List.copyOf(gradients.keySet()));
        seenParams.add(params.paths());
        return new Update(gradients, state);
      }
    };
    Partition part = Transforms.partition().group("biases", "**.bias", spy).otherwise(Transforms.freeze()).build();
    ParameterSet ps = params();
    part.update(ones(ps), part.init(ps), ps);
    assertEquals(List.of(List.of("layers.0.bias", "layers.1.bias")), seenGradients);
    assertEquals(List.of(List.of("layers.0.bias", "layers.1.bias"), List.of("layers.0.bias", "layers.1.bias")), seenParams);
  }

  @Test
  void aFrozenGroupLeavesItsParametersUnchanged() {
    Partition part = Transforms.partition()
        .group("frozen", "layers.0.**", Transforms.freeze())
        .otherwise(Optimizers.sgd(0.5))
        .build();
    ParameterSet ps = params();
    OptimizerState s = part.init(ps);
    for (int k = 0; k < 3; k++) {
      GradientTransform.Update u = part.update(ones(ps), s, ps);
      Optimizers.applyUpdates(ps, u.updates());
      s = u.state();
    }
    assertArrayEquals(new double[] {1, 1}, ps.get("layers.0.weight").value().toDoubles(), 0.0);
    assertArrayEquals(new double[] {1}, ps.get("layers.0.bias").value().toDoubles(), 0.0);
    // 1 − 3·0.5 = −0.5
    assertArrayEquals(new double[] {-0.5, -0.5}, ps.get("layers.1.weight").value().toDoubles(), 0.0);
    assertArrayEquals(new double[] {-0.5}, ps.get("head.weight").value().toDoubles(), 0.0);
  }

  @Test
  void stateKeysAndHyperparametersArePrefixedByGroupAndRestore() {
    Partition part = Transforms.partition()
        .group("no-decay", "**.bias", lr(0.1))
        .group("noisy", List.of("layers.0.weight", PathPattern.of("head.*")), GradientTransform.chain(Transforms.gradientNoise(7L), lr(1.0)))
        .otherwise(Transforms.averaged(lr(0.01), Transforms.polyak(0)))
        .build();
    ParameterSet ps = params();
    OptimizerState s = part.update(ones(ps), part.init(ps), ps).state();
    StateDict d = StateDict.of(s);
    assertEquals(Map.of("no-decay/step", 1.0, "noisy/0/step", 1.0, "noisy/1/step", 1.0, "default/0/step", 1.0,
        "default/1/step", 1.0, "default/1/count", 1.0), d.scalars());
    assertEquals(List.of("noisy/0/stream"), List.copyOf(d.words().keySet()));
    assertEquals(java.util.Set.of("default/1/average/layers.1.weight"), d.tensors().keySet());
    Map<String, Double> hp = part.hyperparameters(s);
    assertEquals(0.1, hp.get("no-decay/lr"), 0.0);
    assertEquals(1.0, hp.get("noisy/lr"), 0.0);
    assertEquals(0.01, hp.get("noisy/noise_variance") / Math.pow(2, -0.55), 1e-15); // 0.01 / (1+1)^0.55 at step 1
    assertEquals(0.01, hp.get("default/lr"), 0.0);
    assertEquals(4, part.schedules().size()); // 0.1, noise, 1.0, 0.01
    OptimizerState restored = part.restore(d, ps);
    assertTrue(StateDict.of(restored).sameAs(d));
    // and it continues identically
    StateDict a = StateDict.of(part.update(ones(ps), s, ps).state());
    StateDict b = StateDict.of(part.update(ones(ps), restored, ps).state());
    assertTrue(a.sameAs(b));
  }

  @Test
  void aPatternThatMatchesNothingIsAnErrorListingThePaths() {
    Partition typo = Transforms.partition().group("no-decay", "**.bais", lr(0.1)).otherwise(lr(0.01)).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> typo.init(params()));
    assertTrue(e.getMessage().contains("group 'no-decay' [**.bais] matches no parameter"), e.getMessage());
    assertTrue(e.getMessage().contains("layers.0.weight, layers.0.bias"), e.getMessage());
  }

  @Test
  void aGroupShadowedByEarlierGroupsIsAnError() {
    Partition shadowed = Transforms.partition().group("all", "**", lr(0.1)).group("bias", "**.bias", lr(0.0)).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> shadowed.init(params()));
    assertTrue(e.getMessage().contains("group 'bias'"), e.getMessage());
    assertTrue(e.getMessage().contains("went to earlier groups"), e.getMessage());
  }

  @Test
  void withoutADefaultEveryParameterMustBeClaimed() {
    Partition noDefault = Transforms.partition().group("bias", "**.bias", lr(0.1)).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> noDefault.init(params()));
    assertTrue(e.getMessage().contains("[layers.0.weight, layers.1.weight, head.weight] match no group"), e.getMessage());
    // the default group may be empty, though
    Partition all = Transforms.partition().group("all", "**", lr(0.1)).otherwise(lr(0.01)).build();
    ParameterSet ps = params();
    assertEquals(5, all.update(ones(ps), all.init(ps), ps).updates().size());
  }

  @Test
  void groupNamesAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> Transforms.partition().group("default", "**", lr(0.1)).build());
    assertThrows(IllegalArgumentException.class,
        () -> Transforms.partition().group("a", "x", lr(0.1)).group("a", "y", lr(0.1)).build());
    assertThrows(IllegalArgumentException.class, () -> Transforms.partition().group("a/b", "x", lr(0.1)));
    assertThrows(IllegalArgumentException.class, () -> Transforms.partition().group("a", "x..y", lr(0.1)));
    assertThrows(IllegalArgumentException.class, () -> Transforms.partition().build());
  }

  @Test
  void partitionInsideAChainWithClipping() {
    // clip globally first (‖1‖ over 7 elements = √7 > 1), then per-group learning rates
    GradientTransform opt = GradientTransform.chain(Transforms.clipByGlobalNorm(Schedule.constant(1.0), 0.0), threeGroups());
    ParameterSet ps = params();
    GradientTransform.Update u = opt.update(ones(ps), opt.init(ps), ps);
    // f = 1/√7 = 0.3779644730092272; layers.0.bias: −0.1·f
    assertArrayEquals(new double[] {-0.03779644730092272}, u.updates().get("layers.0.bias").toDoubles(), 1e-16);
    assertEquals(0.1, opt.hyperparameters(u.state()).get("no-decay/lr"), 0.0);
  }

  @Test
  void aGroupWithTheBooksNesterovExposesItsLookAheadOffsets() {
    // book Nesterov (8.3) in the "first" group: after one step with gradient 1 and lr 0.1,
    // v = α·0 − 0.1·1 = −0.1 per element, so the next gradient is wanted at θ + αv = θ − 0.09
    Partition p = Transforms.partition().group("first", "layers.0.*", Optimizers.nesterovBook(0.1, 0.9)).otherwise(lr(0.01)).build();
    ParameterSet ps = params();
    GradientTransform.Update u = p.update(ones(ps), p.init(ps), ps);
    Map<String, Tensor> offsets = LookAhead.offsets(p, u.state(), ps);
    assertEquals(java.util.Set.of("layers.0.weight", "layers.0.bias"), offsets.keySet());
    assertArrayEquals(new double[] {-0.09, -0.09}, offsets.get("layers.0.weight").toDoubles(), 1e-15);
  }
}
