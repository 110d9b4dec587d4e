package dev.gradus.engine.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Tensor;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Gradient clipping (section 8.2.5) on hand-made gradients, ReferenceBackend in float64. */
class ClipTest {
  private final Backend be = new ReferenceBackend();
  private static final double EXACT = 0.0;
  private static final double ULP = 1e-15;

  private Tensor t(double... v) {
    return be.fromDoubles(v, v.length);
  }

  private ParameterSet params(Map<String, Tensor> like) {
    ParameterSet ps = new ParameterSet();
    like.forEach((k, v) -> ps.add(new Parameter(k, be.detach(be.zeros(v.dtype(), v.shape())), true)));
    return ps;
  }

  private Map<String, Tensor> grads(Object... pathThenTensor) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (int i = 0; i < pathThenTensor.length; i += 2) m.put((String) pathThenTensor[i], (Tensor) pathThenTensor[i + 1]);
    return m;
  }

  private Map<String, Tensor> once(GradientTransform tr, Map<String, Tensor> g) {
    ParameterSet ps = params(g);
    return tr.update(g, tr.init(ps), ps).updates();
  }

  // ---- by value -------------------------------------------------------------------------

  @Test
  void clipByValueClampsEachElement() {
    Map<String, Tensor> u = once(Transforms.clipByValue(1.0), grads("w", t(0.5, -2.0, 3.0, -0.25), "b", t(1.0)));
    // 0.5 and -0.25 are inside [-1, 1]; -2 → -1, 3 → 1; 1.0 is on the boundary
    assertArrayEquals(new double[] {0.5, -1.0, 1.0, -0.25}, u.get("w").toDoubles(), EXACT);
    assertArrayEquals(new double[] {1.0}, u.get("b").toDoubles(), EXACT);
  }

  @Test
  void clipByValueFollowsItsSchedule() {
    GradientTransform clip = Transforms.clipByValue(step -> step == 0 ? 1.0 : 0.5);
    Map<String, Tensor> g = grads("w", t(2.0, -2.0, 0.1));
    ParameterSet ps = params(g);
    OptimizerState s = clip.init(ps);
    assertEquals(Map.of("clip_value", 1.0), clip.hyperparameters(s));
    GradientTransform.Update u0 = clip.update(g, s, ps);
    assertArrayEquals(new double[] {1.0, -1.0, 0.1}, u0.updates().get("w").toDoubles(), EXACT);
    assertEquals(Map.of("clip_value", 0.5), clip.hyperparameters(u0.state()));
    GradientTransform.Update u1 = clip.update(g, u0.state(), ps);
    assertArrayEquals(new double[] {0.5, -0.5, 0.1}, u1.updates().get("w").toDoubles(), EXACT);
    assertEquals(1, clip.schedules().size());
  }

  @Test
  void negativeThresholdIsRejectedWithTheStep() {
    assertThrows(IllegalArgumentException.class, () -> Transforms.clipByValue(-1.0));
    GradientTransform clip = Transforms.clipByValue(step -> step < 3 ? 1.0 : -1.0);
    Map<String, Tensor> g = grads("w", t(1.0));
    ParameterSet ps = params(g);
    OptimizerState s = clip.restore(new StateDict(Map.of(), Map.of(), Map.of("step", 3.0), Map.of()), ps);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> clip.update(g, s, ps));
    assertTrue(e.getMessage().contains("at step 3"), e.getMessage());
  }

  // ---- per-tensor norm ------------------------------------------------------------------

  @Test
  void clipByNormRescalesEachTensorOnItsOwn() {
    Tensor inside = t(3.0, 4.0); // ‖·‖ = 5 = c: unchanged, same tensor
    Tensor zero = t(0.0, 0.0);
    Map<String, Tensor> u = once(Transforms.clipByNorm(5.0), grads(
        "a", inside,
        "b", t(6.0, 8.0), // ‖·‖ = 10 → · 5/10 = [3, 4]
        "c", be.fromDoubles(new double[] {1, 2, 2, 4}, 2, 2), // ‖·‖ = sqrt(1+4+4+16) = 5 → unchanged
        "d", be.fromDoubles(new double[] {2, 4, 4, 8}, 2, 2), // ‖·‖ = 10 → [1, 2, 2, 4]
        "z", zero));
    assertSame(inside, u.get("a"));
    assertArrayEquals(new double[] {3.0, 4.0}, u.get("b").toDoubles(), EXACT);
    assertArrayEquals(new double[] {1, 2, 2, 4}, u.get("c").toDoubles(), EXACT);
    assertArrayEquals(new double[] {1, 2, 2, 4}, u.get("d").toDoubles(), EXACT);
    assertArrayEquals(new long[] {2, 2}, u.get("d").shape());
    assertArrayEquals(new double[] {0.0, 0.0}, u.get("z").toDoubles(), EXACT);
  }

  @Test
  void clipByNormFollowsItsScheduleAndRestores() {
    GradientTransform clip = Transforms.clipByNorm(step -> 10.0 / (step + 1)); // 10, 5, 3.333…
    Map<String, Tensor> g = grads("w", t(6.0, 8.0)); // ‖g‖ = 10
    ParameterSet ps = params(g);
    GradientTransform.Update u0 = clip.update(g, clip.init(ps), ps);
    assertArrayEquals(new double[] {6.0, 8.0}, u0.updates().get("w").toDoubles(), EXACT); // 10 ≤ 10
    OptimizerState restored = clip.restore(StateDict.of(u0.state()), ps);
    assertEquals(Map.of("clip_norm", 5.0), clip.hyperparameters(restored));
    GradientTransform.Update u1 = clip.update(g, restored, ps);
    assertArrayEquals(new double[] {3.0, 4.0}, u1.updates().get("w").toDoubles(), EXACT); // · 5/10
    assertThrows(IllegalArgumentException.class, () -> Transforms.clipByNorm(0.0));
  }

  // ---- global norm ----------------------------------------------------------------------

  @Test
  void clipByGlobalNormScalesAllTensorsByOneFactorTorchStyle() {
    // ‖g‖ = sqrt(3² + 4² + 12²) = sqrt(169) = 13; f = 6.5 / (13 + 1e-6) = 0.49999996153846454
    Map<String, Tensor> u = once(Transforms.clipByGlobalNorm(6.5), grads("w", t(3.0, 4.0), "b", t(12.0)));
    assertArrayEquals(new double[] {1.4999998846153937, 1.9999998461538582}, u.get("w").toDoubles(), ULP); // 3f, 4f
    assertArrayEquals(new double[] {5.999999538461575}, u.get("b").toDoubles(), 1e-14); // 12f
    assertEquals(13.0, ClipByGlobalNorm.globalNorm(grads("w", t(3.0, 4.0), "b", t(12.0))), EXACT);
  }

  @Test
  void clipByGlobalNormInsideTheBoundPassesThrough() {
    Tensor w = t(3.0, 4.0);
    Tensor b = t(12.0);
    // c = 13.5: 13.5 / (13 + 1e-6) > 1 → f = 1, the same tensors
    Map<String, Tensor> u = once(Transforms.clipByGlobalNorm(13.5), grads("w", w, "b", b));
    assertSame(w, u.get("w"));
    assertSame(b, u.get("b"));
  }

  @Test
  void atTheBoundaryTorchScalesByCOverCPlusEpsAndOptaxDoesNot() {
    // torch: f = 13 / (13 + 1e-6) = 0.9999999230769291 → 3f = 2.9999997692307874
    Map<String, Tensor> torch = once(Transforms.clipByGlobalNorm(13.0), grads("w", t(3.0, 4.0), "b", t(12.0)));
    assertArrayEquals(new double[] {2.9999997692307874}, new double[] {torch.get("w").toDoubles()[0]}, ULP);
    // Optax (ε = 0): ‖g‖ = c → unchanged
    Map<String, Tensor> optax = once(Transforms.clipByGlobalNorm(Schedule.constant(13.0), 0.0), grads("w", t(3.0, 4.0), "b", t(12.0)));
    assertArrayEquals(new double[] {3.0, 4.0}, optax.get("w").toDoubles(), EXACT);
    // Optax above the bound: f = 6.5 / 13 = 0.5 exactly
    Map<String, Tensor> half = once(Transforms.clipByGlobalNorm(Schedule.constant(6.5), 0.0), grads("w", t(3.0, 4.0), "b", t(12.0)));
    assertArrayEquals(new double[] {1.5, 2.0}, half.get("w").toDoubles(), EXACT);
    assertArrayEquals(new double[] {6.0}, half.get("b").toDoubles(), EXACT);
  }

  @Test
  void clipByGlobalNormFollowsItsSchedule() {
    GradientTransform clip = Transforms.clipByGlobalNorm(step -> step == 0 ? 26.0 : 6.5);
    Map<String, Tensor> g = grads("w", t(3.0, 4.0), "b", t(12.0));
    ParameterSet ps = params(g);
    OptimizerState s = clip.init(ps);
    assertEquals(Map.of("clip_global_norm", 26.0), clip.hyperparameters(s));
    GradientTransform.Update u0 = clip.update(g, s, ps);
    assertArrayEquals(new double[] {3.0, 4.0}, u0.updates().get("w").toDoubles(), EXACT); // 13 < 26
    GradientTransform.Update u1 = clip.update(g, u0.state(), ps);
    assertArrayEquals(new double[] {1.4999998846153937, 1.9999998461538582}, u1.updates().get("w").toDoubles(), ULP);
    assertEquals(Map.of("step", 2.0), u1.state().scalars());
    assertEquals(List.of(), Transforms.freeze().schedules());
  }

  @Test
  void emptyGradientsAreFine() {
    assertEquals(0.0, ClipByGlobalNorm.globalNorm(Map.of()), EXACT);
    assertTrue(once(Transforms.clipByGlobalNorm(1.0), new LinkedHashMap<>()).isEmpty());
  }

  // ---- in a chain -----------------------------------------------------------------------

  @Test
  void chainOfGlobalNormClippingAndSgdEqualsHandComputation() {
    ParameterSet ps = new ParameterSet();
    ps.add(new Parameter("w", be.detach(t(1.0, 1.0)), true));
    ps.add(new Parameter("b", be.detach(t(2.0)), true));
    GradientTransform opt = GradientTransform.chain(Transforms.clipByGlobalNorm(6.5), Optimizers.sgd(0.1));
    OptimizerState s = opt.init(ps);
    GradientTransform.Update u = opt.update(grads("w", t(3.0, 4.0), "b", t(12.0)), s, ps);
    Optimizers.applyUpdates(ps, u.updates());
    // f = 6.5 / (13 + 1e-6) = 0.49999996153846454; θ ← θ − 0.1 · f · g
    // w = [1 − 0.1·3f, 1 − 0.1·4f] = [0.8500000115384606, 0.8000000153846142]; b = 2 − 0.1·12f = 1.4000000461538424
    assertArrayEquals(new double[] {0.8500000115384606, 0.8000000153846142}, ps.get("w").value().toDoubles(), ULP);
    assertArrayEquals(new double[] {1.4000000461538424}, ps.get("b").value().toDoubles(), ULP);
    assertEquals(0.1, opt.hyperparameters(u.state()).get("lr"), EXACT);
    assertEquals(6.5, opt.hyperparameters(u.state()).get("clip_global_norm"), EXACT);
    // state restores through the chain
    StateDict d = StateDict.of(u.state());
    assertTrue(StateDict.of(opt.restore(d, ps)).sameAs(d));
  }
}
