package dev.gradus.engine.train;

import dev.gradus.engine.data.Dataset;
import dev.gradus.engine.nn.LayerMapping;
import dev.gradus.engine.nn.Model;
import java.util.List;

/**
 * One stage of a staged run: a model (which may differ from the previous stage's: a new layer, a
 * fresh output head), which of its parameters train, what is carried over from the previous
 * stage, its optimizer phases, its training configuration (loss, batch size) and optionally its
 * own training data.
 *
 * @param trains {@link dev.gradus.engine.nn.PathPattern} globs of the parameters this stage
 *     trains; the rest are frozen. Empty: all of them.
 * @param carry which of the previous stage's parameters and buffers are copied into this stage's
 *     fresh ones (ignored for the first stage)
 * @param data training data of this stage; null: the run's
 */
public record Stage(String name, Model model, List<Phase> phases, List<String> trains, LayerMapping carry, TrainingConfig config,
    Dataset data) {
  public Stage {
    if (name == null || name.isBlank()) throw new IllegalArgumentException("a stage needs a name");
    if (model == null) throw new IllegalArgumentException("stage '" + name + "' needs a model");
    if (config == null) throw new IllegalArgumentException("stage '" + name + "' needs a training configuration");
    phases = List.copyOf(phases);
    trains = List.copyOf(trains);
    if (carry == null) carry = LayerMapping.none();
  }

  /** A stage on the run's data. */
  public Stage(String name, Model model, List<Phase> phases, List<String> trains, LayerMapping carry, TrainingConfig config) {
    this(name, model, phases, trains, carry, config, null);
  }
}
