package dev.gradus.engine.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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

/**
 * Polyak averaging and its EMA form (section 8.7.3), driven by SGD with learning rate 1 so that
 * gradients {@code −u_k} give exactly the updates {@code u_k}.
 *
 * <p>The hand sequence, θ₀ = [1, 2] ("w"), and "frozen" = [7] without gradients:
 * <pre>
 *   u₀ = [1, 0]   → θ₁ = [2, 2]
 *   u₁ = [2, 2]   → θ₂ = [4, 4]
 *   u₂ = [−1, 4]  → θ₃ = [3, 8]
 *   u₃ = [3, −3]  → θ₄ = [6, 5]
 *   u₄ = [0.5, 1] → θ₅ = [6.5, 6]
 * </pre>
 */
class ParameterAveragingTest {
  private final Backend be = new ReferenceBackend();
  private static final double[][] U = {{1, 0}, {2, 2}, {-1, 4}, {3, -3}, {0.5, 1}};

  private ParameterSet params() {
    ParameterSet ps = new ParameterSet();
    ps.add(new Parameter("w", be.detach(be.fromDoubles(new double[] {1, 2}, 2)), true));
    ps.add(new Parameter("frozen", be.detach(be.fromDoubles(new double[] {7}, 1)), false));
    return ps;
  }

  private Map<String, Tensor> gradient(int k) {
    Map<String, Tensor> g = new LinkedHashMap<>();
    g.put("w", be.fromDoubles(new double[] {-U[k][0], -U[k][1]}, 2));
    return g;
  }

  /** Runs updates from..to-1 on {@code ps}, returning the last state. */
  private OptimizerState steps(GradientTransform opt, OptimizerState s, ParameterSet ps, int from, int to) {
    for (int k = from; k < to; k++) {
      GradientTransform.Update u = opt.update(gradient(k), s, ps);
      Optimizers.applyUpdates(ps, u.updates());
      s = u.state();
    }
    return s;
  }

  private static double[] values(Map<String, Tensor> averaged, String path) {
    return averaged.get(path).toDoubles();
  }

  // ---- Polyak ---------------------------------------------------------------------------

  @Test
  void polyakIsTheArithmeticMeanOfTheIteratesFromItsStartStep() {
    GradientTransform opt = Transforms.averaged(Optimizers.sgd(1.0), Transforms.polyak(2));
    ParameterSet ps = params();
    OptimizerState s = opt.init(ps);
    s = steps(opt, s, ps, 0, 2);
    assertNull(ParameterAverager.averagedParameters(opt, s)); // updates 0 and 1: not yet averaging
    assertTrue(s.tensors().isEmpty()); // and no buffers allocated
    s = steps(opt, s, ps, 2, 3);
    assertArrayEquals(new double[] {3, 8}, values(ParameterAverager.averagedParameters(opt, s), "w"), 0.0); // θ₃
    s = steps(opt, s, ps, 3, 4);
    assertArrayEquals(new double[] {4.5, 6.5}, values(ParameterAverager.averagedParameters(opt, s), "w"), 0.0); // (θ₃+θ₄)/2
    s = steps(opt, s, ps, 4, 5);
    Map<String, Tensor> avg = ParameterAverager.averagedParameters(opt, s);
    // (θ₃+θ₄+θ₅)/3 = [(3+6+6.5)/3, (8+5+6)/3] = [15.5/3, 19/3]
    assertArrayEquals(new double[] {5.166666666666667, 6.333333333333333}, values(avg, "w"), 1e-15);
    assertArrayEquals(new double[] {7}, values(avg, "frozen"), 0.0); // a parameter without updates averages to itself, exactly
    assertEquals(List.of("w", "frozen"), List.copyOf(avg.keySet()));
    // the parameters themselves are the last iterate: the averager passed the updates through
    assertArrayEquals(new double[] {6.5, 6}, ps.get("w").value().toDoubles(), 0.0);
    assertEquals(Map.of("step", 5.0, "count", 3.0), ParameterAverager.find(opt, s).orElseThrow().state().scalars());
  }

  @Test
  void polyakFromZeroAveragesEveryIterateAfterTheFirstUpdate() {
    GradientTransform opt = Transforms.averaged(Optimizers.sgd(1.0), Transforms.polyak(0));
    ParameterSet ps = params();
    OptimizerState s = steps(opt, opt.init(ps), ps, 0, 3);
    // (θ₁+θ₂+θ₃)/3 = [(2+4+3)/3, (2+4+8)/3] = [3, 14/3]
    assertArrayEquals(new double[] {3, 4.666666666666667}, values(ParameterAverager.averagedParameters(opt, s), "w"), 1e-15);
  }

  @Test
  void polyakRestoresExactlyBeforeAndAfterItsStart() {
    GradientTransform opt = Transforms.averaged(Optimizers.sgd(1.0), Transforms.polyak(2));
    for (int cut : new int[] {1, 3}) {
      ParameterSet a = params();
      OptimizerState s = steps(opt, opt.init(a), a, 0, cut);
      StateDict dict = StateDict.of(s);
      ParameterSet b = params();
      steps(opt, opt.init(b), b, 0, cut); // same parameters as a, separately
      OptimizerState straight = steps(opt, s, a, cut, 5);
      OptimizerState restored = opt.restore(dict, b);
      assertTrue(StateDict.of(restored).sameAs(dict));
      OptimizerState resumed = steps(opt, restored, b, cut, 5);
      assertTrue(StateDict.of(resumed).sameAs(StateDict.of(straight)), "cut at " + cut);
    }
  }

  @Test
  void polyakStateKeys() {
    GradientTransform opt = Transforms.averaged(Optimizers.sgd(1.0), Transforms.polyak(0));
    ParameterSet ps = params();
    OptimizerState s = steps(opt, opt.init(ps), ps, 0, 1);
    assertEquals(List.of("1/average/w", "1/average/frozen"), List.copyOf(s.tensors().keySet()));
    assertThrows(IllegalArgumentException.class, () -> Transforms.polyak(-1));
  }

  // ---- EMA ------------------------------------------------------------------------------

  @Test
  void emaCopiesTheFirstIterateThenLerpsTorchStyle() {
    GradientTransform opt = Transforms.averaged(Optimizers.sgd(1.0), Transforms.ema(0.5));
    ParameterSet ps = params();
    OptimizerState s = opt.init(ps);
    assertNull(ParameterAverager.averagedParameters(opt, s));
    s = steps(opt, s, ps, 0, 1);
    assertArrayEquals(new double[] {2, 2}, values(ParameterAverager.averagedParameters(opt, s), "w"), 0.0); // θ₁
    s = steps(opt, s, ps, 1, 2);
    // [2,2] + (1−0.5)([4,4] − [2,2]) = [3, 3]
    assertArrayEquals(new double[] {3, 3}, values(ParameterAverager.averagedParameters(opt, s), "w"), 0.0);
    s = steps(opt, s, ps, 2, 3);
    // [3,3] + 0.5([3,8] − [3,3]) = [3, 5.5]
    Map<String, Tensor> avg = ParameterAverager.averagedParameters(opt, s);
    assertArrayEquals(new double[] {3, 5.5}, values(avg, "w"), 0.0);
    assertArrayEquals(new double[] {7}, values(avg, "frozen"), 0.0);
    assertEquals(0.5, opt.hyperparameters(s).get("ema_decay"), 0.0);
  }

  @Test
  void debiasedEmaStartsAtZeroAndDividesByOneMinusTheDecayProduct() {
    GradientTransform opt = Transforms.averaged(Optimizers.sgd(1.0), Transforms.ema(Schedule.constant(0.5), true));
    ParameterSet ps = params();
    OptimizerState s = steps(opt, opt.init(ps), ps, 0, 1);
    // buffer 0 + 0.5·[2,2] = [1,1]; / (1 − 0.5) = [2, 2]
    assertArrayEquals(new double[] {2, 2}, values(ParameterAverager.averagedParameters(opt, s), "w"), 0.0);
    s = steps(opt, s, ps, 1, 2);
    // buffer [1,1] + 0.5([4,4] − [1,1]) = [2.5, 2.5]; / (1 − 0.25) = 3.3333333333333335
    assertArrayEquals(new double[] {3.3333333333333335, 3.3333333333333335},
        values(ParameterAverager.averagedParameters(opt, s), "w"), 1e-15);
    s = steps(opt, s, ps, 2, 3);
    // buffer [2.5,2.5] + 0.5([3,8] − [2.5,2.5]) = [2.75, 5.25]; / (1 − 0.125) = [3.142857142857143, 6]
    assertArrayEquals(new double[] {3.142857142857143, 6.0}, values(ParameterAverager.averagedParameters(opt, s), "w"), 1e-15);
    assertEquals(0.125, s.scalars().get("1/decay_product"), 0.0);
  }

  @Test
  void emaWithAScheduledDecay() {
    // decay 0 at step 0 (copy), 0.75 afterwards
    GradientTransform opt = Transforms.averaged(Optimizers.sgd(1.0), Transforms.ema(step -> step == 0 ? 0.0 : 0.75));
    ParameterSet ps = params();
    OptimizerState s = opt.init(ps);
    assertEquals(0.0, opt.hyperparameters(s).get("ema_decay"), 0.0);
    s = steps(opt, s, ps, 0, 2);
    // θ₁ = [2,2]; then [2,2] + 0.25([4,4] − [2,2]) = [2.5, 2.5]
    assertArrayEquals(new double[] {2.5, 2.5}, values(ParameterAverager.averagedParameters(opt, s), "w"), 0.0);
    assertEquals(0.75, opt.hyperparameters(s).get("ema_decay"), 0.0);
    assertEquals(1, opt.schedules().size() - Optimizers.sgd(1.0).schedules().size());
    GradientTransform bad = Transforms.averaged(Optimizers.sgd(1.0), Transforms.ema(step -> 1.5));
    assertThrows(IllegalArgumentException.class, () -> bad.update(gradient(0), bad.init(ps), ps));
  }

  @Test
  void emaRestoresExactly() {
    for (boolean debias : new boolean[] {false, true}) {
      GradientTransform opt = Transforms.averaged(Optimizers.sgd(1.0), Transforms.ema(Schedule.constant(0.9), debias));
      ParameterSet a = params();
      ParameterSet b = params();
      OptimizerState s = steps(opt, opt.init(a), a, 0, 2);
      steps(opt, opt.init(b), b, 0, 2);
      StateDict dict = StateDict.of(s);
      OptimizerState straight = steps(opt, s, a, 2, 5);
      OptimizerState resumed = steps(opt, opt.restore(dict, b), b, 2, 5);
      assertTrue(StateDict.of(resumed).sameAs(StateDict.of(straight)), "debias " + debias);
      assertArrayEquals(values(ParameterAverager.averagedParameters(opt, straight), "w"),
          values(ParameterAverager.averagedParameters(opt, resumed), "w"), 0.0);
    }
  }

  // ---- placement ------------------------------------------------------------------------

  @Test
  void anAveragerMustBeLast() {
    ParameterSet ps = params();
    GradientTransform wrong = GradientTransform.chain(Transforms.polyak(0), Optimizers.sgd(1.0));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ParameterAverager.find(wrong, wrong.init(ps)));
    assertTrue(e.getMessage().contains("must be the last transform"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> Transforms.averaged(wrong, Transforms.ema(0.9)));
    // averagers may follow one another: both see the same updates
    GradientTransform both = Transforms.averaged(Transforms.averaged(Optimizers.sgd(1.0), Transforms.polyak(0)), Transforms.ema(0.5));
    OptimizerState s = both.init(ps);
    ParameterAverager.Found found = ParameterAverager.find(both, s).orElseThrow();
    assertSame(PolyakAverage.class, found.averager().getClass());
    assertTrue(ParameterAverager.find(Optimizers.sgd(1.0), Optimizers.sgd(1.0).init(ps)).isEmpty());
    assertNull(ParameterAverager.averagedParameters(Optimizers.sgd(1.0), Optimizers.sgd(1.0).init(ps)));
    s = steps(both, s, ps, 0, 2);
    assertNotNull(found.averager().averagedParameters(((Chain.State) ((Chain.State) s).members().get(0)).members().get(1)));
  }
}
