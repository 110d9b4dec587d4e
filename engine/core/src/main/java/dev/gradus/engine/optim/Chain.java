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
  }

  @Override
  public OptimizerState init(ParameterSet params) {
    List<OptimizerState> states = new ArrayList<>();
    for (GradientTransform t : transforms) states.add(t.init(params));
    return new State(states);
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
