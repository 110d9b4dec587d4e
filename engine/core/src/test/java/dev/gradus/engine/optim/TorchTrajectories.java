package dev.gradus.engine.optim;

import dev.gradus.engine.schedule.Schedule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code reference/torch/optimizer_trajectories.txt} (format in the docstring of
 * {@code optimizer_trajectories.py}) and turns its torch.optim configurations into Gradus
 * optimizers.
 */
final class TorchTrajectories {
  static final Path FILE = Path.of("../../reference/torch/optimizer_trajectories.txt");

  /** One initial parameter: Gradus path, shape, values. */
  record Param(String path, long[] shape, double[] values) {}

  /** One step: the loss before it and every parameter after it, flattened in parameter order. */
  record Step(int k, double loss, double[] params) {}

  /** A torch.optim configuration and its recorded trajectory. */
  record Config(String name, Map<String, String> args, List<Step> steps) {
    String optimizer() {
      return args.get("optimizer");
    }

    double num(String key, double fallback) {
      String v = args.get(key);
      return v == null ? fallback : Double.parseDouble(v);
    }

    boolean flag(String key) {
      return "true".equals(args.get(key));
    }

    /** The learning rate as a schedule: constant, or torch's LambdaLR {@code lr / (1 + c t)}. */
    Schedule lr(double fallback) {
      double lr = num("lr", fallback);
      String lambda = args.get("lr_lambda");
      if (lambda == null) return Schedule.constant(lr);
      if (!lambda.startsWith("inv:")) throw new IllegalArgumentException("unknown lr_lambda " + lambda);
      double c = Double.parseDouble(lambda.substring(4));
      // torch: base_lr * lmbda(t) with lmbda(t) = 1 / (1 + c t)
      return t -> lr * (1.0 / (1.0 + c * t));
    }

    /** The same optimizer built from Gradus transforms; unset arguments take the builders' (torch's) defaults. */
    GradientTransform build() {
      switch (optimizer()) {
        case "SGD":
          return Optimizers.sgdBuilder(lr(Double.NaN)).momentum(num("momentum", 0)).dampening(num("dampening", 0))
              .weightDecay(num("weight_decay", 0)).nesterov(flag("nesterov")).build();
        case "Adagrad": {
          Optimizers.AdagradBuilder b = Optimizers.adagradBuilder().lr(lr(1e-2));
          if (args.containsKey("lr_decay")) b.lrDecay(num("lr_decay", 0));
          if (args.containsKey("weight_decay")) b.weightDecay(num("weight_decay", 0));
          if (args.containsKey("initial_accumulator_value")) b.initialAccumulatorValue(num("initial_accumulator_value", 0));
          if (args.containsKey("eps")) b.eps(num("eps", 0));
          return b.build();
        }
        case "RMSprop": {
          Optimizers.RmspropBuilder b = Optimizers.rmspropBuilder().lr(lr(1e-2)).centered(flag("centered"));
          if (args.containsKey("alpha")) b.alpha(num("alpha", 0));
          if (args.containsKey("eps")) b.eps(num("eps", 0));
          if (args.containsKey("weight_decay")) b.weightDecay(num("weight_decay", 0));
          if (args.containsKey("momentum")) b.momentum(num("momentum", 0));
          return b.build();
        }
        case "Adam":
        case "AdamW": {
          Optimizers.AdamBuilder b = optimizer().equals("Adam") ? Optimizers.adamBuilder() : Optimizers.adamwBuilder();
          b.lr(lr(1e-3)).amsgrad(flag("amsgrad"));
          if (args.containsKey("betas")) {
            String[] betas = args.get("betas").split(",");
            b.beta1(Double.parseDouble(betas[0])).beta2(Double.parseDouble(betas[1]));
          }
          if (args.containsKey("eps")) b.eps(num("eps", 0));
          if (args.containsKey("weight_decay")) b.weightDecay(num("weight_decay", 0));
          return b.build();
        }
        case "Adadelta": {
          Optimizers.AdadeltaBuilder b = Optimizers.adadeltaBuilder().lr(lr(1.0));
          if (args.containsKey("rho")) b.rho(num("rho", 0));
          if (args.containsKey("eps")) b.eps(num("eps", 0));
          if (args.containsKey("weight_decay")) b.weightDecay(num("weight_decay", 0));
          return b.build();
        }
        default:
          throw new IllegalArgumentException("no Gradus counterpart for torch.optim." + optimizer());
      }
    }
  }

  final String torchVersion;
  final double[] x;
  final long[] xShape;
  final int[] y;
  final List<Param> params = new ArrayList<>();
  final Map<String, Config> configs = new LinkedHashMap<>();

  private TorchTrajectories(List<String> lines) {
    String version = null;
    double[] xs = null;
    long[] xShape = null;
    int[] ys = null;
    for (String line : lines) {
      if (line.isBlank() || line.startsWith("#")) continue;
      String[] f = line.split(" ");
      switch (f[0]) {
        case "format":
          if (!f[1].equals("gradus-optimizer-trajectories") || !f[2].equals("1")) throw new IllegalArgumentException("unknown format " + line);
          break;
        case "torch":
          version = f[1];
          break;
        case "problem":
          break;
        case "x":
          xShape = new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])};
          xs = numbers(f, 3);
          break;
        case "y": {
          ys = new int[Integer.parseInt(f[1])];
          for (int i = 0; i < ys.length; i++) ys[i] = Integer.parseInt(f[2 + i]);
          break;
        }
        case "param": {
          int rank = Integer.parseInt(f[2]);
          long[] shape = new long[rank];
          for (int i = 0; i < rank; i++) shape[i] = Long.parseLong(f[3 + i]);
          params.add(new Param(f[1], shape, numbers(f, 3 + rank)));
          break;
        }
        case "config": {
          Map<String, String> args = new LinkedHashMap<>();
          for (int i = 2; i < f.length; i++) {
            int eq = f[i].indexOf('=');
            args.put(f[i].substring(0, eq), f[i].substring(eq + 1));
          }
          configs.put(f[1], new Config(f[1], args, new ArrayList<>()));
          break;
        }
        case "step": {
          Config c = configs.get(f[1]);
          c.steps().add(new Step(Integer.parseInt(f[2]), Double.parseDouble(f[3]), numbers(f, 4)));
          break;
        }
        default:
          throw new IllegalArgumentException("unknown record " + f[0]);
      }
    }
    this.torchVersion = version;
    this.x = xs;
    this.xShape = xShape;
    this.y = ys;
  }

  private static double[] numbers(String[] f, int from) {
    double[] out = new double[f.length - from];
    for (int i = 0; i < out.length; i++) out[i] = Double.parseDouble(f[from + i]);
    return out;
  }

  static TorchTrajectories load() {
    try {
      return new TorchTrajectories(Files.readAllLines(FILE));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the torch fixture " + FILE.toAbsolutePath(), e);
    }
  }

  /** The problem of the fixture, on {@code be}. */
  TinyMlp mlp(dev.gradus.engine.tensor.Backend be) {
    return new TinyMlp(be, x, xShape, y, params);
  }
}
