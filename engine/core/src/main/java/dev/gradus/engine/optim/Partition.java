package dev.gradus.engine.optim;

import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.nn.PathPattern;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Parameter groups (torch.optim's param groups, Optax's {@code multi_transform}): an ordered list
 * of named groups, each a set of {@link PathPattern}s and a transform, plus an optional default
 * transform for the parameters no group claims. Each parameter belongs to the <b>first</b> group
 * with a matching pattern; each group's transform sees only its parameters — their gradients in
 * {@code update}, and a {@link ParameterSet} of just those parameters in {@code init},
 * {@code update} and {@code restore} — and keeps its own state and step count. Every group's
 * transform is updated every step, with an empty gradient map if none of its parameters has a
 * gradient this step, so step counts stay aligned.
 *
 * <pre>{@code
 * Partition.builder()
 *     .group("no-decay", "**.bias", Optimizers.sgd(0.1))
 *     .group("frozen", "layers.0.*", Transforms.freeze())
 *     .otherwise(chain(weightDecay, Optimizers.sgd(0.1)))
 *     .build();
 * }</pre>
 *
 * <p>Checks, at {@code init} and {@code restore}: a group that ends up with no parameter — its
 * patterns match nothing (a typo), or everything they match was claimed by an earlier group — is
 * an error listing the parameter paths, since a silently empty group is worse than a failed
 * start; so is a parameter that no group claims when there is no default.
 *
 * <p>Keys: a group's state entries, hyperparameters and its transform's names are prefixed with
 * {@code <group>/} ({@code no-decay/0/step}, {@code no-decay/lr}); the default group is named
 * {@value #DEFAULT_GROUP}. Updates come back in the order of the gradients.
 */
public final class Partition implements GradientTransform, LookAhead {
  /** The name of the group of unclaimed parameters (the {@link #otherwise} transform). */
  public static final String DEFAULT_GROUP = "default";

  /** A named group: the parameters matching any of {@code patterns}, and their transform. */
  public record Group(String name, List<PathPattern> patterns, GradientTransform transform) {
    public Group {
      if (name == null || name.isEmpty() || name.contains("/")) {
        throw new IllegalArgumentException("parameter group name must be non-empty and contain no '/', got '" + name + "'");
      }
      if (patterns == null || patterns.isEmpty()) throw new IllegalArgumentException("parameter group '" + name + "' needs a pattern");
      patterns = List.copyOf(patterns);
      if (transform == null) throw new IllegalArgumentException("parameter group '" + name + "' needs a transform");
    }

    public boolean matches(String path) {
      for (PathPattern p : patterns) if (p.matches(path)) return true;
      return false;
    }
  }

  private final List<Group> groups;
  private final GradientTransform otherwise;
  /** path → group name ("" for none): patterns are pure, so routing is computed once per path. */
  private final Map<String, String> routes = new ConcurrentHashMap<>();

  /** {@code otherwise} may be null: then every parameter must be claimed by a group. */
  public Partition(List<Group> groups, GradientTransform otherwise) {
    groups = List.copyOf(groups);
    this.groups = groups;
    this.otherwise = otherwise;
    Set<String> names = new HashSet<>();
    for (Group g : groups) {
      if (g.name().equals(DEFAULT_GROUP)) {
        throw new IllegalArgumentException("'" + DEFAULT_GROUP + "' is reserved for the default group; use otherwise(...)");
      }
      if (!names.add(g.name())) throw new IllegalArgumentException("duplicate parameter group name '" + g.name() + "'");
    }
    if (groups.isEmpty() && otherwise == null) throw new IllegalArgumentException("a partition needs a group or a default transform");
  }

  /** The groups, in matching order. */
  public List<Group> groups() {
    return groups;
  }

  /** The default transform, or null. */
  public GradientTransform otherwise() {
    return otherwise;
  }

  @Override
  public String toString() {
    return "Partition" + groups + (otherwise == null ? "" : " otherwise " + otherwise);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Collects groups in order; {@link #otherwise} sets the default transform. */
  public static final class Builder {
    private final List<Group> groups = new ArrayList<>();
    private GradientTransform otherwise;

    public Builder group(String name, String pattern, GradientTransform transform) {
      return group(name, List.of(PathPattern.of(pattern)), transform);
    }

    public Builder group(String name, PathPattern pattern, GradientTransform transform) {
      return group(name, List.of(pattern), transform);
    }

    /** A group of the parameters matching any of {@code patterns} (glob strings or {@link PathPattern}s). */
    public Builder group(String name, List<?> patterns, GradientTransform transform) {
      List<PathPattern> ps = new ArrayList<>();
      for (Object p : patterns) {
        if (p instanceof PathPattern pp) ps.add(pp);
        else if (p instanceof String s) ps.add(PathPattern.of(s));
        else throw new IllegalArgumentException("a pattern is a String or a PathPattern, got " + p);
      }
      groups.add(new Group(name, ps, transform));
      return this;
    }

    /** The transform of every parameter no group claims (group {@value Partition#DEFAULT_GROUP}). */
    public Builder otherwise(GradientTransform transform) {
      if (transform == null) throw new IllegalArgumentException("default transform must not be null");
      this.otherwise = transform;
      return this;
    }

    public Partition build() {
      return new Partition(groups, otherwise);
    }
  }

  /** Each group's state, by group name, in group order (the default group last). */
  public record State(Map<String, OptimizerState> groups) implements OptimizerState {
    @Override
    public Map<String, Tensor> tensors() {
      Map<String, Tensor> out = new LinkedHashMap<>();
      groups.forEach((g, s) -> s.tensors().forEach((k, v) -> out.put(g + "/" + k, v)));
      return out;
    }

    @Override
    public Map<String, Double> scalars() {
      Map<String, Double> out = new LinkedHashMap<>();
      groups.forEach((g, s) -> s.scalars().forEach((k, v) -> out.put(g + "/" + k, v)));
      return out;
    }

    @Override
    public Map<String, long[]> words() {
      Map<String, long[]> out = new LinkedHashMap<>();
      groups.forEach((g, s) -> s.words().forEach((k, v) -> out.put(g + "/" + k, v)));
      return out;
    }
  }

  /** The name of the group {@code path} belongs to; null when none claims it and there is no default. */
  public String groupOf(String path) {
    String g = routes.computeIfAbsent(path, this::route);
    return g.isEmpty() ? null : g;
  }

  private String route(String path) {
    for (Group g : groups) if (g.matches(path)) return g.name();
    return otherwise == null ? "" : DEFAULT_GROUP;
  }

  /** The group names in order, the default group last when there is one. */
  public List<String> groupNames() {
    List<String> out = new ArrayList<>();
    for (Group g : groups) out.add(g.name());
    if (otherwise != null) out.add(DEFAULT_GROUP);
    return out;
  }

  /** Every parameter's group, by path, in parameter order; checks the rules of the class comment. */
  public Map<String, String> assignment(ParameterSet params) {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> unclaimed = new ArrayList<>();
    Set<String> used = new HashSet<>();
    for (Parameter p : params.all()) {
      String g = groupOf(p.path());
      if (g == null) {
        unclaimed.add(p.path());
      } else {
        out.put(p.path(), g);
        used.add(g);
      }
    }
    if (unclaimed.isEmpty() && used.size() >= groups.size() + (used.contains(DEFAULT_GROUP) ? 1 : 0)) return out;
    List<String> problems = new ArrayList<>();
    for (Group g : groups) {
      if (used.contains(g.name())) continue;
      List<String> matched = new ArrayList<>();
      for (Parameter p : params.all()) if (g.matches(p.path())) matched.add(p.path());
      if (matched.isEmpty()) {
        problems.add("group '" + g.name() + "' " + g.patterns() + " matches no parameter");
      } else {
        problems.add("group '" + g.name() + "' " + g.patterns() + " gets no parameter: " + matched
            + " went to earlier groups (each parameter goes to the first group that matches it)");
      }
    }
    if (!unclaimed.isEmpty()) {
      problems.add("parameters " + unclaimed + " match no group and the partition has no default (add otherwise(...))");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("parameter groups: " + String.join("; ", problems) + ". Parameter paths: "
          + params.paths());
    }
    return out;
  }

  private Map<String, ParameterSet> split(ParameterSet params) {
    Map<String, String> assignment = assignment(params);
    Map<String, ParameterSet> out = new LinkedHashMap<>();
    for (String name : groupNames()) out.put(name, new ParameterSet());
    for (Parameter p : params.all()) out.get(assignment.get(p.path())).add(p);
    return out;
  }

  private GradientTransform transformOf(String group) {
    if (group.equals(DEFAULT_GROUP)) return otherwise;
    for (Group g : groups) if (g.name().equals(group)) return g.transform();
    throw new IllegalArgumentException("no parameter group '" + group + "'");
  }

  /**
   * The look-ahead offsets of every group whose optimizer has one (the book's Nesterov in a
   * group), so that a group's gradient is taken where its algorithm asks.
   */
  @Override
  public Map<String, Tensor> lookAheadOffsets(OptimizerState state, ParameterSet params) {
    Map<String, OptimizerState> states = ((State) state).groups();
    Map<String, Tensor> out = new LinkedHashMap<>();
    split(params).forEach((name, sub) -> out.putAll(LookAhead.offsets(transformOf(name), states.get(name), sub)));
    return out;
  }

  @Override
  public OptimizerState init(ParameterSet params) {
    Map<String, OptimizerState> states = new LinkedHashMap<>();
    split(params).forEach((name, sub) -> states.put(name, transformOf(name).init(sub)));
    return new State(states);
  }

  @Override
  public OptimizerState restore(StateDict dict, ParameterSet params) {
    Map<String, OptimizerState> states = new LinkedHashMap<>();
    split(params).forEach((name, sub) -> states.put(name, transformOf(name).restore(dict.member(name), sub)));
    return new State(states);
  }

  @Override
  public Update update(Map<String, Tensor> gradients, OptimizerState state, ParameterSet params) {
    Map<String, OptimizerState> in = ((State) state).groups();
    Map<String, ParameterSet> parts = split(params);
    Map<String, Map<String, Tensor>> routed = new LinkedHashMap<>();
    for (String name : parts.keySet()) routed.put(name, new LinkedHashMap<>());
    Map<String, String> groupOfPath = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : gradients.entrySet()) {
      String g = groupOf(e.getKey());
      if (g == null) {
        throw new IllegalArgumentException("gradient '" + e.getKey() + "' matches no parameter group and the partition has no default");
      }
      routed.get(g).put(e.getKey(), e.getValue());
      groupOfPath.put(e.getKey(), g);
    }
    Map<String, OptimizerState> next = new LinkedHashMap<>();
    Map<String, Map<String, Tensor>> updates = new LinkedHashMap<>();
    for (Map.Entry<String, ParameterSet> e : parts.entrySet()) {
      String name = e.getKey();
      Update u = transformOf(name).update(routed.get(name), in.get(name), e.getValue());
      updates.put(name, u.updates());
      next.put(name, u.state());
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : groupOfPath.entrySet()) {
      Tensor t = updates.get(e.getValue()).get(e.getKey());
      if (t != null) out.put(e.getKey(), t);
    }
    // a group transform may add updates for paths without a gradient: keep them, after the rest
    updates.values().forEach(m -> m.forEach(out::putIfAbsent));
    return new Update(out, new State(next));
  }

  /** Every group's hyperparameters, each name prefixed with {@code <group>/}. */
  @Override
  public Map<String, Double> hyperparameters(OptimizerState state) {
    Map<String, Double> out = new LinkedHashMap<>();
    ((State) state).groups().forEach((name, s) ->
        transformOf(name).hyperparameters(s).forEach((k, v) -> out.put(name + "/" + k, v)));
    return out;
  }

  @Override
  public List<Schedule> schedules() {
    List<Schedule> out = new ArrayList<>();
    for (Group g : groups) out.addAll(g.transform().schedules());
    if (otherwise != null) out.addAll(otherwise.schedules());
    return out;
  }
}
