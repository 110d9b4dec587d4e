package dev.gradus.engine.optim.batch;

import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.nn.PathPattern;
import dev.gradus.engine.optim.GradientTransform;
import dev.gradus.engine.optim.OptimizerState;
import dev.gradus.engine.optim.Optimizers;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Block coordinate descent (Goodfellow et al. 8.7.1): the trainable parameters are split into
 * blocks, each a list of path globs ({@link PathPattern}, e.g. {@code ["layers.0.*"]}); one
 * {@link #step} is one sweep over the blocks in order, minimizing over one block at a time with
 * the others held fixed, by {@code innerSteps} steps of an inner {@link BatchMethod} or of a
 * {@link GradientTransform}. A parameter in no block is never changed; one in several belongs to
 * the first.
 *
 * <p>An inner batch method keeps one state per block across sweeps (under {@code block/<i>/} in
 * this method's state); an inner gradient transform starts from a fresh {@code init} at each
 * visit (its state holds tensors, which a {@link BatchState} does not).
 */
public final class BlockCoordinateDescent implements BatchMethod {
  private final List<List<String>> blocks;
  private final BatchMethod inner;
  private final GradientTransform transform;
  private final int innerSteps;

  private BlockCoordinateDescent(List<List<String>> blocks, BatchMethod inner, GradientTransform transform, int innerSteps) {
    if (blocks.isEmpty()) throw new IllegalArgumentException("block coordinate descent needs at least one block");
    if (innerSteps < 1) throw new IllegalArgumentException("innerSteps must be >= 1");
    for (List<String> b : blocks) for (String glob : b) PathPattern.of(glob);
    this.blocks = List.copyOf(blocks.stream().map(List::copyOf).toList());
    this.inner = inner;
    this.transform = transform;
    this.innerSteps = innerSteps;
  }

  /** Each block minimized by {@code innerSteps} steps of {@code inner}. */
  public static BlockCoordinateDescent of(List<List<String>> blocks, BatchMethod inner, int innerSteps) {
    return new BlockCoordinateDescent(blocks, java.util.Objects.requireNonNull(inner), null, innerSteps);
  }

  /** Each block trained by {@code innerSteps} steps of a first-order {@code transform} on the objective's gradient. */
  public static BlockCoordinateDescent of(List<List<String>> blocks, GradientTransform transform, int innerSteps) {
    return new BlockCoordinateDescent(blocks, null, java.util.Objects.requireNonNull(transform), innerSteps);
  }

  public List<List<String>> blocks() {
    return blocks;
  }

  @Override
  public String describe() {
    return "block-coordinate-descent(" + blocks.size() + " blocks, " + innerSteps + " x "
        + (inner != null ? inner.describe() : transform.getClass().getSimpleName()) + ")";
  }

  @Override
  public BatchState init(ParameterSet params) {
    BatchState s = new BatchState().put("sweeps", 0);
    if (inner != null) {
      for (int i = 0; i < blocks.size(); i++) s.putMember("block/" + i, inner.init(view(params, i)));
    }
    return s;
  }

  @Override
  public Map<String, Double> hyperparameters(BatchState state) {
    Map<String, Double> h = new LinkedHashMap<>();
    h.put("bcd.sweeps", state.scalar("sweeps", 0));
    return h;
  }

  /** The parameters with only block {@code i}'s trainable (the same tensors: updates land in {@code params}). */
  ParameterSet view(ParameterSet params, int i) {
    ParameterSet v = new ParameterSet();
    List<String> taken = new ArrayList<>();
    for (int j = 0; j < i; j++) taken.addAll(matching(params, j));
    List<String> mine = new ArrayList<>(matching(params, i));
    mine.removeAll(taken);
    if (mine.isEmpty()) throw new IllegalArgumentException("block " + i + " " + blocks.get(i) + " matches no trainable parameter of its own");
    for (Parameter p : params.all()) v.add(new Parameter(p.path(), p.value(), p.trainable() && mine.contains(p.path())));
    for (Parameter b : params.buffers()) v.add(b);
    return v;
  }

  private List<String> matching(ParameterSet params, int i) {
    List<String> out = new ArrayList<>();
    for (Parameter p : params.trainable()) {
      for (String glob : blocks.get(i)) {
        if (PathPattern.of(glob).matches(p.path())) {
          out.add(p.path());
          break;
        }
      }
    }
    return out;
  }

  @Override
  public Result step(Objective objective, ParameterSet params, BatchState state) {
    Evaluations cost = Evaluations.NONE;
    double before = Double.NaN;
    double after = Double.NaN;
    for (int i = 0; i < blocks.size(); i++) {
      ParameterSet v = view(params, i);
      if (inner != null) {
        BatchState s = state.member("block/" + i);
        for (int k = 0; k < innerSteps; k++) {
          Result r = inner.step(objective, v, s);
          s = r.state();
          cost = cost.plus(r.evaluations());
          if (Double.isNaN(before)) before = r.lossBefore();
          after = r.lossAfter();
        }
        state.putMember("block/" + i, s);
      } else {
        OptimizerState s = transform.init(v);
        try {
          for (int k = 0; k < innerSteps; k++) {
            try (MemoryScope scope = v.trainable().get(0).value().backend().openScope()) {
              Objective.ValueAndGradient vg = objective.valueAndGradient(v);
              cost = cost.plus(new Evaluations(1, 1, 0));
              if (Double.isNaN(before)) before = vg.value();
              GradientTransform.Update u = transform.update(vg.gradient(), s, v);
              Optimizers.applyUpdates(v, u.updates());
              s = u.state();
            }
          }
        } finally {
          for (Tensor t : s.tensors().values()) t.close();
        }
        after = Double.NaN;
      }
    }
    state.put("sweeps", state.scalar("sweeps", 0) + 1);
    return new Result(state, before, after, cost);
  }
}
