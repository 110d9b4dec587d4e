package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Sequential composition of transforms; its state holds each member's under the prefix {@code i/}. */
public record Chain(List<GradientTransform> transforms) implements GradientTransform {
  /** The members' states, in order. */
  public record State(List<OptimizerState> members) implements OptimizerState {
    @Override
    public Map<String, Tensor> tensors() {
      Map<String, Tensor> out = new LinkedHashMap<>();
      for (int i = 0; i < members.size(); i++) {
        int k = i;
        members.get(i).tensors().forEach((name, t) -> out.put(k + "/" + name, t));
      }
      return out;
    }

    @Override
    public Map<String, Double> scalars() {
      Map<String, Double> out = new LinkedHashMap<>();
      for (int i = 0; i < members.size(); i++) {
        int k = i;
        members.get(i).scalars().forEach((name, v) -> out.put(k + "/" + name, v));
      }
      return out;
    }

    @Override
    public Map<String, long[]> words() {
      Map<String, long[]> out = new LinkedHashMap<>();
      for (int i = 0; i < members.size(); i++) {
        int k = i;
        members.get(i).words().forEach((name, v) -> out.put(k + "/" + name, v));
      }
      return out;
    }
  }

  @Override
  public OptimizerState init(ParameterSet params) {
    List<OptimizerState> states = new ArrayList<>();
    for (GradientTransform t : transforms) states.add(t.init(params));
    return new State(states);
  }

  @Override
  public OptimizerState restore(StateDict dict, ParameterSet params) {
    List<OptimizerState> states = new ArrayList<>();
    for (int i = 0; i < transforms.size(); i++) states.add(transforms.get(i).restore(dict.member(String.valueOf(i)), params));
    return new State(states);
  }

  @Override
  public List<dev.gradus.engine.schedule.Schedule> schedules() {
    List<dev.gradus.engine.schedule.Schedule> out = new ArrayList<>();
    for (GradientTransform t : transforms) out.addAll(t.schedules());
    return out;
  }

  /** Members' hyperparameters; a name used by several members is prefixed with the member index. */
  @Override
  public Map<String, Double> hyperparameters(OptimizerState state) {
    List<OptimizerState> members = ((State) state).members();
    Map<String, Double> out = new LinkedHashMap<>();
    Map<String, Integer> seen = new java.util.HashMap<>();
    for (int i = 0; i < transforms.size(); i++) {
      for (Map.Entry<String, Double> e : transforms.get(i).hyperparameters(members.get(i)).entrySet()) {
        String name = seen.merge(e.getKey(), 1, Integer::sum) == 1 ? e.getKey() : i + "/" + e.getKey();
        out.put(name, e.getValue());
      }
    }
    return out;
  }

  @Override
  public Update update(Map<String, Tensor> gradients, OptimizerState state, ParameterSet params) {
    List<OptimizerState> in = ((State) state).members();
    List<OptimizerState> out = new ArrayList<>(in.size());
    Map<String, Tensor> g = gradients;
    for (int i = 0; i < transforms.size(); i++) {
      Update u = transforms.get(i).update(g, in.get(i), params);
      g = u.updates();
      out.add(u.state());
    }
    return new Update(g, new State(out));
  }
}
