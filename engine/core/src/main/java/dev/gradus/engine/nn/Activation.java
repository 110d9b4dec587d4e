package dev.gradus.engine.nn;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Var;
import java.util.Locale;

/** Element-wise nonlinearities. */
public enum Activation {
  IDENTITY,
  RELU,
  TANH,
  SIGMOID,
  SOFTSIGN,
  SOFTPLUS;

  public Var apply(Var x) {
    return switch (this) {
      case IDENTITY -> x;
      case RELU -> Ops.relu(x);
      case TANH -> Ops.tanh(x);
      case SIGMOID -> Ops.sigmoid(x);
      case SOFTSIGN -> Ops.softsign(x);
      case SOFTPLUS -> Ops.softplus(x);
    };
  }

  /** Lower-case name used in specs and records. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Activation parse(String id) {
    for (Activation a : values()) if (a.id().equals(id.toLowerCase(Locale.ROOT))) return a;
    throw new IllegalArgumentException("unknown activation '" + id + "'; known: identity, relu, tanh, sigmoid, softsign, softplus");
  }
}
