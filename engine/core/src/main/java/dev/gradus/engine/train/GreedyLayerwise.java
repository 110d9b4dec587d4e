package dev.gradus.engine.train;

import dev.gradus.engine.nn.Layer;
import dev.gradus.engine.nn.LayerMapping;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.WithModelInput;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Greedy layer-wise supervised pre-training (Bengio et al. 2007; Deep Learning §8.7.4, Figure
 * 8.10) as {@link Stage stages}: stage k trains hidden layer k under a fresh output head on the
 * supervised objective, with the layers below frozen (or fine-tuned); the head is then dropped
 * and the next layer added. The last stage's model has every hidden layer and an output layer,
 * which is the full network; joint fine-tuning is one more stage that carries everything.
 *
 * <p>With {@code concatInput} (Yu et al. 2010), hidden layer k ≥ 1 sees the previous layer's
 * output concatenated with the raw input, so each stage's layer is a {@link WithModelInput}.
 */
public final class GreedyLayerwise {
  private GreedyLayerwise() {}

  /** What happens to the layers below the one a stage adds. */
  public enum LowerLayers {
    /** Only the new layer and the head train (the classic procedure). */
    FROZEN,
    /** Every layer of the stage's model trains. */
    FINE_TUNED
  }

  /**
   * @param inputSize the model's inputs
   * @param hidden the hidden layers in order (each a complete layer for its input width; with
   *     {@code concatInput}, layer k ≥ 1 must take its predecessor's width plus {@code inputSize})
   * @param head a fresh output layer for a given input width (stage k: the width of hidden layer k)
   * @param phases the optimizer phases of each stage, made fresh per stage (schedules may keep state)
   * @param jointAfterEachStage after each greedy stage, a stage that trains all of its layers
   *     with the same phases (the "fine-tune after every stage" option)
   * @param config training configuration of every stage (loss, batch size); stage names are set here
   */
  public static List<Stage> stages(int inputSize, List<Layer> hidden, IntFunction<Layer> head, Supplier<List<Phase>> phases,
      LowerLayers lower, boolean jointAfterEachStage, boolean concatInput, TrainingConfig config) {
    if (hidden.isEmpty()) throw new IllegalArgumentException("greedy layer-wise pre-training needs at least one hidden layer");
    List<Stage> out = new ArrayList<>();
    List<Layer> built = new ArrayList<>();
    for (int k = 0; k < hidden.size(); k++) {
      Layer layer = hidden.get(k);
      built.add(k > 0 && concatInput ? new WithModelInput(layer, inputSize) : layer);
      List<Layer> layers = new ArrayList<>(built);
      layers.add(head.apply(layer.outputSize()));
      Model model = new Model(inputSize, layers);
      List<String> trains = new ArrayList<>();
      if (lower == LowerLayers.FROZEN) {
        // the new layer (unless it has nothing to train, like dropout) and the fresh head
        if (layer.parameters().stream().anyMatch(d -> !d.buffer())) trains.add(Model.layerPath(k) + ".**");
        trains.add(Model.layerPath(k + 1) + ".**");
      }
      // the layers trained so far come along; the previous head (at index k) is dropped
      LayerMapping carry = LayerMapping.layers(0, k, 0);
      String name = "pretrain-" + (k + 1);
      out.add(new Stage(name, model, phases.get(), trains, carry, config));
      if (jointAfterEachStage) {
        out.add(new Stage("joint-" + (k + 1), model, phases.get(), List.of(), LayerMapping.identity(), config));
      }
    }
    return out;
  }

  /** The hidden layers as the full model takes them (wrapped for {@code concatInput}), followed by {@code output}. */
  public static Model fullModel(int inputSize, List<Layer> hidden, Layer output, boolean concatInput) {
    List<Layer> layers = new ArrayList<>();
    for (int k = 0; k < hidden.size(); k++) layers.add(k > 0 && concatInput ? new WithModelInput(hidden.get(k), inputSize) : hidden.get(k));
    layers.add(output);
    return new Model(inputSize, layers);
  }
}
