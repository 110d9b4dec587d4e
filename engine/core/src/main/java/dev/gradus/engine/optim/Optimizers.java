package dev.gradus.engine.optim;

import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Ready-made optimizers (chains of the small transforms in this package) and the step that
 * applies updates.
 *
 * <p>The PyTorch-named optimizers ({@link #sgd}, {@link #adagrad}, {@link #rmsprop},
 * {@link #adam}, {@link #adamw}, {@link #adadelta}) follow torch.optim (1.13) update for update,
 * with torch's defaults; their trajectories are checked against torch's in float64
 * ({@code reference/torch/optimizer_trajectories.py}). The book's velocity forms
 * ({@link #momentum}, {@link #nesterovBook}, {@link #rmspropNesterov}) follow Algorithms 8.2,
 * 8.3 and 8.6 literally; the Nesterov ones need a caller that honours {@link LookAhead}.
 *
 * <p>Every hyperparameter is a {@link Schedule} evaluated at the optimizer's 0-based step;
 * the {@code double} overloads use constants, and the builders ({@link #sgdBuilder},
 * {@link #adagradBuilder}, {@link #rmspropBuilder}, {@link #adamBuilder},
 * {@link #adamwBuilder}, {@link #adadeltaBuilder}) set any of them, constant or scheduled.
 *
 * <p>Chains leave out links that would do nothing (weight decay 0, momentum 0, lr_decay 0), as
 * torch skips them; the state keys name the chain position ({@code "1/exp_avg/layers.0.weight"}).
 */
public final class Optimizers {
  private Optimizers() {}

  // ---- SGD and momentum ---------------------------------------------------------------------

  /** Stochastic gradient descent, Algorithm 8.1: {@code θ ← θ − ε g}. */
  public static GradientTransform sgd(double learningRate) {
    return sgd(Schedule.constant(learningRate));
  }

  public static GradientTransform sgd(Schedule learningRate) {
    return sgdBuilder(learningRate).build();
  }

  /**
   * torch.optim.SGD(lr, momentum, nesterov, weight_decay) with dampening 0: coupled weight
   * decay, {@link Trace} momentum ({@code b ← μb + g}), {@code θ ← θ − ε b}, or with
   * {@code nesterov} the Sutskever/PyTorch form {@code θ ← θ − ε (g + μb)} (gradient at θ).
   */
  public static GradientTransform sgd(double learningRate, double momentum, boolean nesterov, double weightDecay) {
    return sgdBuilder(learningRate).momentum(momentum).nesterov(nesterov).weightDecay(weightDecay).build();
  }

  public static GradientTransform sgd(Schedule learningRate, Schedule momentum, boolean nesterov, Schedule weightDecay) {
    return sgdBuilder(learningRate).momentum(momentum).nesterov(nesterov).weightDecay(weightDecay).build();
  }

  /** Nesterov momentum in the Sutskever/PyTorch form: torch's {@code SGD(lr, momentum, nesterov=True)}. */
  public static GradientTransform nesterov(double learningRate, double momentum) {
    return sgd(learningRate, momentum, true, 0.0);
  }

  public static GradientTransform nesterov(Schedule learningRate, Schedule momentum) {
    return sgd(learningRate, momentum, true, Schedule.constant(0.0));
  }

  /**
   * SGD with momentum in the book's velocity form, Algorithm 8.2: {@code v ← αv − εg},
   * {@code θ ← θ + v} ({@link Velocity}). With constant ε it equals torch's SGD momentum.
   */
  public static GradientTransform momentum(double learningRate, double momentum) {
    return momentum(Schedule.constant(learningRate), Schedule.constant(momentum));
  }

  public static GradientTransform momentum(Schedule learningRate, Schedule momentum) {
    return GradientTransform.chain(new Velocity(learningRate, momentum, false));
  }

  /**
   * SGD with Nesterov momentum in the book's form, Algorithm 8.3: the gradient is taken at the
   * interim point {@code θ + αv} (a {@link LookAhead}), then {@code v ← αv − εg},
   * {@code θ ← θ + v}. Needs a caller that honours {@link LookAhead}.
   */
  public static GradientTransform nesterovBook(double learningRate, double momentum) {
    return nesterovBook(Schedule.constant(learningRate), Schedule.constant(momentum));
  }

  public static GradientTransform nesterovBook(Schedule learningRate, Schedule momentum) {
    return GradientTransform.chain(new Velocity(learningRate, momentum, true));
  }

  /** torch.optim.SGD with every argument; lr is required, the rest default to torch's (0, off). */
  public static SgdBuilder sgdBuilder(double learningRate) {
    return new SgdBuilder(Schedule.constant(learningRate));
  }

  public static SgdBuilder sgdBuilder(Schedule learningRate) {
    return new SgdBuilder(learningRate);
  }

  // ---- adaptive methods ---------------------------------------------------------------------

  /** torch.optim.Adagrad with its defaults (lr 1e-2, eps 1e-10): Algorithm 8.4. */
  public static GradientTransform adagrad() {
    return adagradBuilder().build();
  }

  public static GradientTransform adagrad(double learningRate) {
    return adagradBuilder().lr(learningRate).build();
  }

  /** torch.optim.Adagrad(lr, lr_decay, weight_decay, initial_accumulator_value, eps). */
  public static GradientTransform adagrad(
      double learningRate, double lrDecay, double weightDecay, double initialAccumulatorValue, double eps) {
    return adagradBuilder().lr(learningRate).lrDecay(lrDecay).weightDecay(weightDecay)
        .initialAccumulatorValue(initialAccumulatorValue).eps(eps).build();
  }

  public static AdagradBuilder adagradBuilder() {
    return new AdagradBuilder();
  }

  /** torch.optim.RMSprop with its defaults (lr 1e-2, alpha 0.99, eps 1e-8): Algorithm 8.5. */
  public static GradientTransform rmsprop() {
    return rmspropBuilder().build();
  }

  public static GradientTransform rmsprop(double learningRate) {
    return rmspropBuilder().lr(learningRate).build();
  }

  /** torch.optim.RMSprop(lr, alpha, eps, momentum, centered). */
  public static GradientTransform rmsprop(double learningRate, double alpha, double eps, double momentum, boolean centered) {
    return rmspropBuilder().lr(learningRate).alpha(alpha).eps(eps).momentum(momentum).centered(centered).build();
  }

  /**
   * RMSProp with Nesterov momentum, Algorithm 8.6: gradient at {@code θ + αv} (a
   * {@link LookAhead}), {@code r ← ρr + (1−ρ)g²}, {@code v ← αv − ε g/(√r + δ)},
   * {@code θ ← θ + v}. δ = 0 is the book's box exactly.
   */
  public static GradientTransform rmspropNesterov(double learningRate, double rho, double eps, double momentum) {
    return rmspropBuilder().lr(learningRate).alpha(rho).eps(eps).momentum(momentum).nesterov(true).build();
  }

  public static RmspropBuilder rmspropBuilder() {
    return new RmspropBuilder();
  }

  /** torch.optim.Adam with its defaults (lr 1e-3, betas (0.9, 0.999), eps 1e-8): Algorithm 8.7. */
  public static GradientTransform adam() {
    return adamBuilder().build();
  }

  public static GradientTransform adam(double learningRate) {
    return adamBuilder().lr(learningRate).build();
  }

  /** torch.optim.Adam(lr, betas=(beta1, beta2), eps, amsgrad). */
  public static GradientTransform adam(double learningRate, double beta1, double beta2, double eps, boolean amsgrad) {
    return adamBuilder().lr(learningRate).beta1(beta1).beta2(beta2).eps(eps).amsgrad(amsgrad).build();
  }

  public static GradientTransform adam(Schedule learningRate, Schedule beta1, Schedule beta2, Schedule eps, boolean amsgrad) {
    return adamBuilder().lr(learningRate).beta1(beta1).beta2(beta2).eps(eps).amsgrad(amsgrad).build();
  }

  /** Adam with coupled L2 weight decay ({@code g + λθ}) and every other argument: torch.optim.Adam. */
  public static AdamBuilder adamBuilder() {
    return new AdamBuilder(false);
  }

  /** torch.optim.AdamW with its defaults (lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2). */
  public static GradientTransform adamw() {
    return adamwBuilder().build();
  }

  public static GradientTransform adamw(double learningRate, double weightDecay) {
    return adamwBuilder().lr(learningRate).weightDecay(weightDecay).build();
  }

  /**
   * torch.optim.AdamW(lr, betas, eps, weight_decay, amsgrad): decoupled decay,
   * {@code θ ← θ − ε(adam(g) + λθ)} (torch: {@code θ ← θ(1 − ελ)} before the Adam step).
   */
  public static GradientTransform adamw(
      double learningRate, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
    return adamwBuilder().lr(learningRate).beta1(beta1).beta2(beta2).eps(eps).weightDecay(weightDecay).amsgrad(amsgrad).build();
  }

  public static AdamBuilder adamwBuilder() {
    return new AdamBuilder(true);
  }

  /** torch.optim.Adadelta with its defaults (lr 1.0, rho 0.9, eps 1e-6): Algorithm 8.8. */
  public static GradientTransform adadelta() {
    return adadeltaBuilder().build();
  }

  /** torch.optim.Adadelta(lr, rho, eps). */
  public static GradientTransform adadelta(double learningRate, double rho, double eps) {
    return adadeltaBuilder().lr(learningRate).rho(rho).eps(eps).build();
  }

  public static AdadeltaBuilder adadeltaBuilder() {
    return new AdadeltaBuilder();
  }

  // ---- applying ----------------------------------------------------------------------------

  /** {@code θ ← θ + u} for every path in {@code updates}, in place. */
  public static void applyUpdates(ParameterSet params, Map<String, Tensor> updates) {
    for (Map.Entry<String, Tensor> e : updates.entrySet()) {
      Parameter p = params.get(e.getKey());
      p.value().backend().addInPlace(p.value(), e.getValue(), 1.0);
    }
  }

  // ---- builders ----------------------------------------------------------------------------

  static boolean isZero(Schedule s) {
    return s instanceof Schedule.Constant c && c.value() == 0.0;
  }

  private static Schedule c(double v) {
    return Schedule.constant(v);
  }

  private static void check(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }

  private static void nonNegative(Schedule s, String name) {
    if (s instanceof Schedule.Constant c) check(c.value() >= 0, name + " must be >= 0, got " + c.value());
  }

  private static void unitInterval(Schedule s, String name) {
    if (s instanceof Schedule.Constant c) check(c.value() >= 0 && c.value() < 1, name + " must be in [0, 1), got " + c.value());
  }

  /** torch.optim.SGD: lr (required), momentum 0, dampening 0, weight_decay 0, nesterov off. */
  public static final class SgdBuilder {
    private final Schedule lr;
    private Schedule momentum = c(0);
    private Schedule dampening = c(0);
    private Schedule weightDecay = c(0);
    private boolean nesterov;

    SgdBuilder(Schedule lr) {
      this.lr = lr;
    }

    public SgdBuilder momentum(double v) {
      return momentum(c(v));
    }

    public SgdBuilder momentum(Schedule s) {
      momentum = s;
      return this;
    }

    public SgdBuilder dampening(double v) {
      return dampening(c(v));
    }

    public SgdBuilder dampening(Schedule s) {
      dampening = s;
      return this;
    }

    public SgdBuilder weightDecay(double v) {
      return weightDecay(c(v));
    }

    public SgdBuilder weightDecay(Schedule s) {
      weightDecay = s;
      return this;
    }

    public SgdBuilder nesterov(boolean on) {
      nesterov = on;
      return this;
    }

    public GradientTransform build() {
      nonNegative(lr, "lr");
      nonNegative(momentum, "momentum");
      nonNegative(weightDecay, "weight_decay");
      check(!nesterov || (!isZero(momentum) && isZero(dampening)), "Nesterov momentum requires a momentum and zero dampening");
      List<GradientTransform> links = new ArrayList<>();
      if (!isZero(weightDecay)) links.add(new AddDecayedWeights(weightDecay));
      if (!isZero(momentum)) links.add(new Trace(momentum, dampening, nesterov));
      links.add(new ScaleByLearningRate(lr));
      return new Chain(links);
    }
  }

  /** torch.optim.Adagrad: lr 1e-2, lr_decay 0, weight_decay 0, initial_accumulator_value 0, eps 1e-10. */
  public static final class AdagradBuilder {
    private Schedule lr = c(1e-2);
    private Schedule lrDecay = c(0);
    private Schedule weightDecay = c(0);
    private double initialAccumulatorValue = 0;
    private Schedule eps = c(1e-10);

    AdagradBuilder() {}

    public AdagradBuilder lr(double v) {
      return lr(c(v));
    }

    public AdagradBuilder lr(Schedule s) {
      lr = s;
      return this;
    }

    public AdagradBuilder lrDecay(double v) {
      return lrDecay(c(v));
    }

    public AdagradBuilder lrDecay(Schedule s) {
      lrDecay = s;
      return this;
    }

    public AdagradBuilder weightDecay(double v) {
      return weightDecay(c(v));
    }

    public AdagradBuilder weightDecay(Schedule s) {
      weightDecay = s;
      return this;
    }

    public AdagradBuilder initialAccumulatorValue(double v) {
      initialAccumulatorValue = v;
      return this;
    }

    public AdagradBuilder eps(double v) {
      return eps(c(v));
    }

    public AdagradBuilder eps(Schedule s) {
      eps = s;
      return this;
    }

    public GradientTransform build() {
      nonNegative(lr, "lr");
      nonNegative(lrDecay, "lr_decay");
      nonNegative(weightDecay, "weight_decay");
      nonNegative(eps, "eps");
      List<GradientTransform> links = new ArrayList<>();
      if (!isZero(weightDecay)) links.add(new AddDecayedWeights(weightDecay));
      links.add(new ScaleByRss(initialAccumulatorValue, eps));
      if (!isZero(lrDecay)) links.add(new ScaleByInverseTimeDecay(lrDecay));
      links.add(new ScaleByLearningRate(lr));
      return new Chain(links);
    }
  }

  /**
   * torch.optim.RMSprop: lr 1e-2, alpha 0.99, eps 1e-8, weight_decay 0, momentum 0, centered
   * off. {@code nesterov(true)} (not in torch) switches the momentum to the book's Nesterov
   * velocity form, Algorithm 8.6 ({@link Velocity} with look-ahead); it needs a momentum.
   */
  public static final class RmspropBuilder {
    private Schedule lr = c(1e-2);
    private Schedule alpha = c(0.99);
    private Schedule eps = c(1e-8);
    private Schedule weightDecay = c(0);
    private Schedule momentum = c(0);
    private boolean centered;
    private boolean nesterov;

    RmspropBuilder() {}

    public RmspropBuilder lr(double v) {
      return lr(c(v));
    }

    public RmspropBuilder lr(Schedule s) {
      lr = s;
      return this;
    }

    /** The decay rate of the average of squared gradients (the book's ρ). */
    public RmspropBuilder alpha(double v) {
      return alpha(c(v));
    }

    public RmspropBuilder alpha(Schedule s) {
      alpha = s;
      return this;
    }

    public RmspropBuilder eps(double v) {
      return eps(c(v));
    }

    public RmspropBuilder eps(Schedule s) {
      eps = s;
      return this;
    }

    public RmspropBuilder weightDecay(double v) {
      return weightDecay(c(v));
    }

    public RmspropBuilder weightDecay(Schedule s) {
      weightDecay = s;
      return this;
    }

    public RmspropBuilder momentum(double v) {
      return momentum(c(v));
    }

    public RmspropBuilder momentum(Schedule s) {
      momentum = s;
      return this;
    }

    public RmspropBuilder centered(boolean on) {
      centered = on;
      return this;
    }

    public RmspropBuilder nesterov(boolean on) {
      nesterov = on;
      return this;
    }

    public GradientTransform build() {
      nonNegative(lr, "lr");
      unitInterval(alpha, "alpha");
      nonNegative(eps, "eps");
      nonNegative(weightDecay, "weight_decay");
      nonNegative(momentum, "momentum");
      check(!nesterov || !isZero(momentum), "RMSProp with Nesterov momentum requires a momentum");
      List<GradientTransform> links = new ArrayList<>();
      if (!isZero(weightDecay)) links.add(new AddDecayedWeights(weightDecay));
      links.add(new ScaleByRms(alpha, eps, centered));
      if (nesterov) {
        links.add(new Velocity(lr, momentum, true));
      } else {
        if (!isZero(momentum)) links.add(new Trace(momentum, c(0), false));
        links.add(new ScaleByLearningRate(lr));
      }
      return new Chain(links);
    }
  }

  /**
   * torch.optim.Adam (coupled weight decay, default 0) or torch.optim.AdamW (decoupled, default
   * 1e-2): lr 1e-3, betas (0.9, 0.999), eps 1e-8, amsgrad off.
   */
  public static final class AdamBuilder {
    private final boolean decoupled;
    private Schedule lr = c(1e-3);
    private Schedule beta1 = c(0.9);
    private Schedule beta2 = c(0.999);
    private Schedule eps = c(1e-8);
    private Schedule weightDecay;
    private boolean amsgrad;

    AdamBuilder(boolean decoupled) {
      this.decoupled = decoupled;
      this.weightDecay = c(decoupled ? 1e-2 : 0);
    }

    public AdamBuilder lr(double v) {
      return lr(c(v));
    }

    public AdamBuilder lr(Schedule s) {
      lr = s;
      return this;
    }

    public AdamBuilder beta1(double v) {
      return beta1(c(v));
    }

    public AdamBuilder beta1(Schedule s) {
      beta1 = s;
      return this;
    }

    public AdamBuilder beta2(double v) {
      return beta2(c(v));
    }

    public AdamBuilder beta2(Schedule s) {
      beta2 = s;
      return this;
    }

    public AdamBuilder eps(double v) {
      return eps(c(v));
    }

    public AdamBuilder eps(Schedule s) {
      eps = s;
      return this;
    }

    public AdamBuilder weightDecay(double v) {
      return weightDecay(c(v));
    }

    public AdamBuilder weightDecay(Schedule s) {
      weightDecay = s;
      return this;
    }

    public AdamBuilder amsgrad(boolean on) {
      amsgrad = on;
      return this;
    }

    public GradientTransform build() {
      nonNegative(lr, "lr");
      unitInterval(beta1, "beta1");
      unitInterval(beta2, "beta2");
      nonNegative(eps, "eps");
      nonNegative(weightDecay, "weight_decay");
      List<GradientTransform> links = new ArrayList<>();
      if (!decoupled && !isZero(weightDecay)) links.add(new AddDecayedWeights(weightDecay));
      links.add(new ScaleByAdam(beta1, beta2, eps, amsgrad));
      if (decoupled && !isZero(weightDecay)) links.add(new AddDecayedWeights(weightDecay));
      links.add(new ScaleByLearningRate(lr));
      return new Chain(links);
    }
  }

  /** torch.optim.Adadelta: lr 1.0, rho 0.9, eps 1e-6, weight_decay 0. */
  public static final class AdadeltaBuilder {
    private Schedule lr = c(1.0);
    private Schedule rho = c(0.9);
    private Schedule eps = c(1e-6);
    private Schedule weightDecay = c(0);

    AdadeltaBuilder() {}

    public AdadeltaBuilder lr(double v) {
      return lr(c(v));
    }

    public AdadeltaBuilder lr(Schedule s) {
      lr = s;
      return this;
    }

    public AdadeltaBuilder rho(double v) {
      return rho(c(v));
    }

    public AdadeltaBuilder rho(Schedule s) {
      rho = s;
      return this;
    }

    public AdadeltaBuilder eps(double v) {
      return eps(c(v));
    }

    public AdadeltaBuilder eps(Schedule s) {
      eps = s;
      return this;
    }

    public AdadeltaBuilder weightDecay(double v) {
      return weightDecay(c(v));
    }

    public AdadeltaBuilder weightDecay(Schedule s) {
      weightDecay = s;
      return this;
    }

    public GradientTransform build() {
      nonNegative(lr, "lr");
      check(!(rho instanceof Schedule.Constant r) || (r.value() >= 0 && r.value() <= 1), "rho must be in [0, 1]");
      nonNegative(eps, "eps");
      nonNegative(weightDecay, "weight_decay");
      List<GradientTransform> links = new ArrayList<>();
      if (!isZero(weightDecay)) links.add(new AddDecayedWeights(weightDecay));
      links.add(new ScaleByAdadelta(rho, eps));
      links.add(new ScaleByLearningRate(lr));
      return new Chain(links);
    }
  }
}
