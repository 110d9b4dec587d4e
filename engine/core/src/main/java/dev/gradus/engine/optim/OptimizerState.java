package dev.gradus.engine.optim;

import dev.gradus.engine.tensor.Tensor;
import java.util.Map;

/**
 * A transform's state, serializable the way torch.optim's {@code state_dict} is: tensors and
 * numbers keyed by stable names (parameter paths for per-parameter buffers).
 */
public interface OptimizerState {
  Map<String, Tensor> tensors();

  Map<String, Double> scalars();

  /** Exact 64-bit words (random stream states, counters beyond 2^53), keyed like the rest. */
  default Map<String, long[]> words() {
    return Map.of();
  }

  /** The state of a transform that keeps none. */
  OptimizerState EMPTY = new OptimizerState() {
    @Override
    public Map<String, Tensor> tensors() {
      return Map.of();
    }

    @Override
    public Map<String, Double> scalars() {
      return Map.of();
    }
  };
}
