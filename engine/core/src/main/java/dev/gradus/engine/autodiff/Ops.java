package dev.gradus.engine.autodiff;

import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.SoftmaxCrossEntropy;
import dev.gradus.engine.tensor.Tensor;
import java.util.Arrays;

/**
 * The differentiable operations: each computes its forward value with backend primitives and
 * records its vector-Jacobian product. Every one is checked against central finite differences
 * in the tests.
 */
public final class Ops {
  private Ops() {}

  private static Backend be(Var v) {
    return v.tape.backend();
  }

  // ---- broadcasting arithmetic -------------------------------------------------------------

  public static Var add(Var a, Var b) {
    Backend be = be(a);
    return a.tape.record("add", be.add(a.value, b.value),
        (u, need) -> new Tensor[] {
          need[0] ? reduceTo(be, u, a.shape()) : null,
          need[1] ? reduceTo(be, u, b.shape()) : null
        },
        (u, y, need) -> new Var[] {
          need[0] ? reduceTo(u, a.shape()) : null,
          need[1] ? reduceTo(u, b.shape()) : null
        }, a, b);
  }

  public static Var sub(Var a, Var b) {
    Backend be = be(a);
    return a.tape.record("sub", be.sub(a.value, b.value),
        (u, need) -> new Tensor[] {
          need[0] ? reduceTo(be, u, a.shape()) : null,
          need[1] ? be.neg(reduceTo(be, u, b.shape())) : null
        },
        (u, y, need) -> new Var[] {
          need[0] ? reduceTo(u, a.shape()) : null,
          need[1] ? scale(reduceTo(u, b.shape()), -1.0) : null
        }, a, b);
  }

  public static Var mul(Var a, Var b) {
    Backend be = be(a);
    return a.tape.record("mul", be.mul(a.value, b.value),
        (u, need) -> new Tensor[] {
          need[0] ? reduceTo(be, be.mul(u, b.value), a.shape()) : null,
          need[1] ? reduceTo(be, be.mul(u, a.value), b.shape()) : null
        },
        (u, y, need) -> new Var[] {
          need[0] ? reduceTo(mul(u, b), a.shape()) : null,
          need[1] ? reduceTo(mul(u, a), b.shape()) : null
        }, a, b);
  }

  public static Var div(Var a, Var b) {
    Backend be = be(a);
    Tensor y = be.div(a.value, b.value);
    return a.tape.record("div", y,
        (u, need) -> new Tensor[] {
          need[0] ? reduceTo(be, be.div(u, b.value), a.shape()) : null,
          // d(a/b)/db = -(a/b)/b
          need[1] ? reduceTo(be, be.neg(be.div(be.mul(u, y), b.value)), b.shape()) : null
        },
        (u, out, need) -> new Var[] {
          need[0] ? reduceTo(div(u, b), a.shape()) : null,
          need[1] ? reduceTo(scale(div(mul(u, out), b), -1.0), b.shape()) : null
        }, a, b);
  }

  public static Var scale(Var a, double s) {
    Backend be = be(a);
    return a.tape.record("scale", be.scale(a.value, s), (u, need) -> new Tensor[] {be.scale(u, s)},
        (u, y, need) -> new Var[] {scale(u, s)}, a);
  }

  public static Var addScalar(Var a, double s) {
    Backend be = be(a);
    return a.tape.record("add-scalar", be.addScalar(a.value, s), (u, need) -> new Tensor[] {u},
        (u, y, need) -> new Var[] {u}, a);
  }

  /**
   * Sums a broadcast gradient back to the shape of the operand that was broadcast. Covers the
   * broadcasts the engine uses: scalar, row vector over a matrix, column over a matrix.
   */
  static Tensor reduceTo(Backend be, Tensor g, long[] shape) {
    long[] gs = g.shape();
    if (Arrays.equals(gs, shape)) return g;
    long size = 1;
    for (long d : shape) size *= d;
    if (size == 1) return be.reshape(be.sum(g), shape);
    if (gs.length == 2) {
      if (shape.length == 1 && shape[0] == gs[1]) return be.sum(g, 0, false);
      if (shape.length == 2 && shape[0] == 1 && shape[1] == gs[1]) return be.sum(g, 0, true);
      if (shape.length == 2 && shape[1] == 1 && shape[0] == gs[0]) return be.sum(g, 1, true);
    }
    throw new UnsupportedOperationException(
        "cannot reduce a gradient of shape " + Arrays.toString(gs) + " to " + Arrays.toString(shape));
  }

  /** {@link #reduceTo(Backend, Tensor, long[])} on recorded values, for the differentiable VJPs. */
  static Var reduceTo(Var g, long[] shape) {
    long[] gs = g.shape();
    if (Arrays.equals(gs, shape)) return g;
    long size = 1;
    for (long d : shape) size *= d;
    if (size == 1) return reshape(sum(g), shape);
    if (gs.length == 2) {
      if (shape.length == 1 && shape[0] == gs[1]) return sumAxis(g, 0, false);
      if (shape.length == 2 && shape[0] == 1 && shape[1] == gs[1]) return sumAxis(g, 0, true);
      if (shape.length == 2 && shape[1] == 1 && shape[0] == gs[0]) return sumAxis(g, 1, true);
    }
    throw new UnsupportedOperationException(
        "cannot reduce a gradient of shape " + Arrays.toString(gs) + " to " + Arrays.toString(shape));
  }

  /** A constant on {@code like}'s tape. */
  private static Var constantLike(Var like, Tensor value, String name) {
    return like.tape.constant(value, name);
  }

  /**
   * Sum of the matrix {@code a[rows, cols]} along {@code axis} (0: over rows, giving {@code [cols]}
   * or {@code [1, cols]}; 1: over columns, giving {@code [rows]} or {@code [rows, 1]}).
   */
  public static Var sumAxis(Var a, int axis, boolean keepDims) {
    Backend be = be(a);
    requireMatrix("sumAxis", a);
    if (axis != 0 && axis != 1) throw new IllegalArgumentException("sumAxis needs axis 0 or 1, got " + axis);
    long[] shape = a.shape();
    // the upstream as a row [1, cols] or a column [rows, 1], which broadcasts back over the matrix
    long[] broadcast = axis == 0 ? new long[] {1, shape[1]} : new long[] {shape[0], 1};
    return a.tape.record("sum-axis", be.sum(a.value, axis, keepDims),
        (u, need) -> new Tensor[] {be.mul(be.full(a.value.dtype(), 1.0, shape), be.reshape(u, broadcast))},
        (u, out, need) -> new Var[] {mul(constantLike(a, be.full(a.value.dtype(), 1.0, shape), "ones"), reshape(u, broadcast))}, a);
  }

  /** The same values in a new shape (same number of elements). */
  public static Var reshape(Var a, long... shape) {
    Backend be = be(a);
    long[] from = a.shape();
    long[] to = shape.clone();
    return a.tape.record("reshape", be.reshape(a.value, to),
        (u, need) -> new Tensor[] {be.reshape(u, from)},
        (u, out, need) -> new Var[] {reshape(u, from)}, a);
  }

  /**
   * Row-wise softmax of {@code logits[rows, classes]}, {@code exp(z − max) / Σ exp(z − max)} with
   * the row maximum held constant (the result does not depend on it).
   */
  public static Var softmax(Var logits) {
    Backend be = be(logits);
    requireMatrix("softmax", logits);
    Var e = exp(sub(logits, constantLike(logits, be.rowMax(logits.value), "row-max")));
    return div(e, sumAxis(e, 1, true));
  }

  // ---- linear algebra --------------------------------------------------------------------

  public static Var matmul(Var a, Var b) {
    return matmul(a, b, false, false);
  }

  /** {@code op(a)·op(b)}; op transposes when its flag is set. */
  public static Var matmul(Var a, Var b, boolean ta, boolean tb) {
    Backend be = be(a);
    return a.tape.record("matmul", be.matmul(a.value, b.value, ta, tb),
        (u, need) -> new Tensor[] {
          // d op(a) = u·op(b)ᵀ ; transposed back when a entered transposed
          need[0] ? (ta ? be.matmul(b.value, u, tb, true) : be.matmul(u, b.value, false, !tb)) : null,
          // d op(b) = op(a)ᵀ·u
          need[1] ? (tb ? be.matmul(u, a.value, true, ta) : be.matmul(a.value, u, !ta, false)) : null
        },
        (u, y, need) -> new Var[] {
          need[0] ? (ta ? matmul(b, u, tb, true) : matmul(u, b, false, !tb)) : null,
          need[1] ? (tb ? matmul(u, a, true, ta) : matmul(a, u, !ta, false)) : null
        }, a, b);
  }

  /** {@code x·wᵀ + b} with {@code w[out, in]} and {@code b[out]} (bias may be null). */
  public static Var affine(Var x, Var w, Var b) {
    Backend be = be(x);
    Tensor y = be.affine(x.value, w.value, b == null ? null : b.value);
    Vjp vjp = (u, need) -> new Tensor[] {
      need[0] ? be.matmul(u, w.value, false, false) : null,
      need[1] ? be.matmul(u, x.value, true, false) : null,
      need.length > 2 && need[2] ? be.sum(u, 0, false) : null
    };
    Vjp.Differentiable dvjp = (u, out, need) -> new Var[] {
      need[0] ? matmul(u, w, false, false) : null,
      need[1] ? matmul(u, x, true, false) : null,
      need.length > 2 && need[2] ? sumAxis(u, 0, false) : null
    };
    return b == null ? x.tape.record("affine", y, vjp, dvjp, x, w) : x.tape.record("affine", y, vjp, dvjp, x, w, b);
  }

  // ---- element-wise functions ------------------------------------------------------------

  public static Var relu(Var a) {
    Backend be = be(a);
    Tensor y = be.relu(a.value);
    return a.tape.record("relu", y, (u, need) -> new Tensor[] {be.reluBackward(u, y)},
        // the mask is piecewise constant: its derivative is 0 (almost everywhere)
        (u, out, need) -> new Var[] {mul(u, constantLike(a, be.positiveMask(y), "relu-mask"))}, a);
  }

  public static Var tanh(Var a) {
    Backend be = be(a);
    Tensor y = be.tanh(a.value);
    // tanh' = 1 - tanh²
    return a.tape.record("tanh", y, (u, need) -> new Tensor[] {be.sub(u, be.mul(u, be.square(y)))},
        (u, out, need) -> new Var[] {sub(u, mul(u, square(out)))}, a);
  }

  public static Var sigmoid(Var a) {
    Backend be = be(a);
    Tensor y = be.sigmoid(a.value);
    // σ' = σ(1 - σ)
    return a.tape.record("sigmoid", y,
        (u, need) -> new Tensor[] {be.mul(u, be.sub(y, be.square(y)))},
        (u, out, need) -> new Var[] {mul(u, sub(out, square(out)))}, a);
  }

  public static Var softsign(Var a) {
    Backend be = be(a);
    Tensor y = be.softsign(a.value);
    // d/dx x/(1+|x|) = 1/(1+|x|)² = (1 - |y|)²
    return a.tape.record("softsign", y,
        (u, need) -> new Tensor[] {be.mul(u, be.square(be.addScalar(be.neg(be.abs(y)), 1.0)))},
        // |y| = y·sign(y), the sign piecewise constant
        (u, out, need) -> {
          Tensor sign = be.addScalar(be.scale(be.positiveMask(y), 2.0), -1.0);
          Var absY = mul(out, constantLike(a, sign, "softsign-sign"));
          return new Var[] {mul(u, square(addScalar(scale(absY, -1.0), 1.0)))};
        }, a);
  }

  public static Var softplus(Var a) {
    Backend be = be(a);
    return a.tape.record("softplus", be.softplus(a.value),
        (u, need) -> new Tensor[] {be.mul(u, be.sigmoid(a.value))},
        (u, out, need) -> new Var[] {mul(u, sigmoid(a))}, a);
  }

  public static Var exp(Var a) {
    Backend be = be(a);
    Tensor y = be.exp(a.value);
    return a.tape.record("exp", y, (u, need) -> new Tensor[] {be.mul(u, y)},
        (u, out, need) -> new Var[] {mul(u, out)}, a);
  }

  public static Var log(Var a) {
    Backend be = be(a);
    return a.tape.record("log", be.log(a.value), (u, need) -> new Tensor[] {be.div(u, a.value)},
        (u, out, need) -> new Var[] {div(u, a)}, a);
  }

  public static Var square(Var a) {
    Backend be = be(a);
    return a.tape.record("square", be.square(a.value),
        (u, need) -> new Tensor[] {be.scale(be.mul(u, a.value), 2.0)},
        (u, out, need) -> new Var[] {scale(mul(u, a), 2.0)}, a);
  }

  // ---- reductions ------------------------------------------------------------------------

  public static Var sum(Var a) {
    Backend be = be(a);
    return a.tape.record("sum", be.sum(a.value),
        (u, need) -> new Tensor[] {be.mul(be.full(a.value.dtype(), 1.0, a.shape()), u)},
        (u, out, need) -> new Var[] {mul(constantLike(a, be.full(a.value.dtype(), 1.0, a.shape()), "ones"), u)}, a);
  }

  public static Var mean(Var a) {
    Backend be = be(a);
    double n = a.value.size();
    return a.tape.record("mean", be.mean(a.value),
        (u, need) -> new Tensor[] {be.mul(be.full(a.value.dtype(), 1.0 / n, a.shape()), u)},
        (u, out, need) -> new Var[] {mul(constantLike(a, be.full(a.value.dtype(), 1.0 / n, a.shape()), "weights"), u)}, a);
  }

  // ---- losses ----------------------------------------------------------------------------

  /**
   * Mean softmax cross-entropy of {@code logits[rows, classes]} against INT64 {@code labels[rows]},
   * fused: the backward is {@code (softmax − onehot)/rows}, never the chain through log and exp.
   */
  public static Var softmaxCrossEntropy(Var logits, Tensor labels) {
    Backend be = be(logits);
    SoftmaxCrossEntropy r = be.softmaxCrossEntropy(logits.value, labels);
    return logits.tape.record("softmax-cross-entropy", r.loss(),
        (u, need) -> new Tensor[] {be.softmaxCrossEntropyBackward(r.logProbabilities(), labels, u)},
        (u, out, need) -> {
          Tensor onehot = be.oneHot(labels, (int) logits.shape()[1], logits.value.dtype());
          Var d = sub(softmax(logits), constantLike(logits, onehot, "targets"));
          return new Var[] {mul(scale(d, 1.0 / logits.shape()[0]), u)};
        }, logits);
  }

  /**
   * Weighted mean cross-entropy of {@code softmax(logits)} against target distributions
   * {@code targets[rows, classes]} (rows sum to 1: one-hot, label-smoothed, a teacher's
   * probabilities): {@code Σ_i w_i Σ_k −t_ik log softmax(z_i)_k / Σ_i w_i}. {@code weights[rows]}
   * may be null (all 1). Fused: the backward is {@code (softmax(z_i) − t_i)·w_i / Σw}.
   */
  public static Var softTargetCrossEntropy(Var logits, Tensor targets, Tensor weights) {
    Backend be = be(logits);
    if (!Arrays.equals(logits.shape(), targets.shape())) {
      throw new IllegalArgumentException("soft-target cross-entropy needs targets shaped like the logits "
          + Tensor.shapeString(logits.shape()) + ", got " + Tensor.shapeString(targets.shape()));
    }
    long rows = logits.shape()[0];
    Tensor logp = be.logSoftmax(logits.value);
    Tensor perRow = be.neg(be.sum(be.mul(targets, logp), 1, false));
    Tensor w = weights == null ? null : be.reshape(weights, rows, 1);
    double total = weights == null ? rows : be.item(be.sum(weights));
    if (!(total > 0)) throw new IllegalArgumentException("example weights must have a positive sum, got " + total);
    Tensor loss = be.scale(be.sum(weights == null ? perRow : be.mul(perRow, weights)), 1.0 / total);
    return logits.tape.record("soft-target-cross-entropy", loss, (u, need) -> {
      Tensor d = be.sub(be.exp(logp), targets);
      if (w != null) d = be.mul(d, w);
      return new Tensor[] {be.mul(be.scale(d, 1.0 / total), u)};
    }, (u, out, need) -> {
      Var d = sub(softmax(logits), constantLike(logits, targets, "targets"));
      if (w != null) d = mul(d, constantLike(logits, w, "weights"));
      return new Var[] {mul(scale(d, 1.0 / total), u)};
    }, logits);
  }

  /**
   * Binary cross-entropy of independent sigmoid outputs: {@code Σ_k [softplus(z_k) − t_k·z_k]}
   * per row, averaged over rows, for {@code logits[rows, k]} against targets {@code t} in [0, 1]
   * of the same shape (one-vs-rest on one-hot labels). Fused and stable for large |z|: the
   * backward is {@code (σ(z) − t)/rows}.
   */
  public static Var sigmoidCrossEntropy(Var logits, Tensor targets) {
    Backend be = be(logits);
    if (!java.util.Arrays.equals(logits.shape(), targets.shape())) {
      throw new IllegalArgumentException("sigmoid cross-entropy needs targets shaped like the logits "
          + Tensor.shapeString(logits.shape()) + ", got " + Tensor.shapeString(targets.shape()));
    }
    double rows = logits.shape()[0];
    Tensor loss = be.scale(be.sum(be.sub(be.softplus(logits.value), be.mul(targets, logits.value))), 1.0 / rows);
    return logits.tape.record("sigmoid-cross-entropy", loss,
        (u, need) -> new Tensor[] {be.mul(be.scale(be.sub(be.sigmoid(logits.value), targets), 1.0 / rows), u)},
        (u, out, need) -> new Var[] {mul(scale(sub(sigmoid(logits), constantLike(logits, targets, "targets")), 1.0 / rows), u)}, logits);
  }

  /** Mean over all elements of {@code (prediction − target)²}. */
  public static Var meanSquaredError(Var prediction, Tensor target) {
    Backend be = be(prediction);
    Tensor diff = be.sub(prediction.value, target);
    double n = diff.size();
    return prediction.tape.record("mean-squared-error", be.mean(be.square(diff)),
        (u, need) -> new Tensor[] {be.mul(be.scale(diff, 2.0 / n), u)},
        (u, out, need) -> new Var[] {mul(scale(sub(prediction, constantLike(prediction, target, "targets")), 2.0 / n), u)}, prediction);
  }

  // ---- layer building blocks (batch normalization, recurrent layers) -----------------------

  /**
   * Mean over the batch axis of {@code a[rows, cols]}: shape {@code [cols]}, a row vector that
   * broadcasts back over the rows (batch normalization's batch statistics).
   */
  public static Var meanRows(Var a) {
    Backend be = be(a);
    requireMatrix("meanRows", a);
    long rows = a.shape()[0];
    return a.tape.record("mean-rows", be.scale(be.sum(a.value, 0, false), 1.0 / rows),
        // every row received the mean with weight 1/rows
        (u, need) -> new Tensor[] {be.mul(be.full(a.value.dtype(), 1.0 / rows, a.shape()), u)},
        (u, out, need) -> new Var[] {mul(constantLike(a, be.full(a.value.dtype(), 1.0 / rows, a.shape()), "weights"), u)}, a);
  }

  /** Element-wise square root; the gradient is infinite at 0, so keep the argument positive (add ε). */
  public static Var sqrt(Var a) {
    Backend be = be(a);
    Tensor y = be.sqrt(a.value);
    // d√a = 1 / (2√a)
    return a.tape.record("sqrt", y, (u, need) -> new Tensor[] {be.div(be.scale(u, 0.5), y)},
        (u, out, need) -> new Var[] {div(scale(u, 0.5), out)}, a);
  }

  /**
   * Columns {@code start .. start+count-1} of {@code x[rows, cols]} (one time step of a sequence
   * stored as a row); the gradient goes back into those columns, zeros elsewhere.
   */
  public static Var columns(Var x, int start, int count) {
    Backend be = be(x);
    requireMatrix("columns", x);
    long cols = x.shape()[1];
    if (count <= 0 || start < 0 || (long) start + count > cols) {
      throw new IllegalArgumentException("columns(" + start + ", " + count + ") is outside a matrix of "
          + cols + " columns " + Tensor.shapeString(x.shape()));
    }
    long rows = x.shape()[0];
    int after = (int) cols - start - count;
    return x.tape.record("columns", be.sliceColumns(x.value, start, count), (u, need) -> {
      Tensor g = u;
      if (start > 0) g = be.concatColumns(be.zeros(u.dtype(), rows, start), g);
      if (after > 0) g = be.concatColumns(g, be.zeros(u.dtype(), rows, after));
      return new Tensor[] {g};
    }, (u, out, need) -> {
      Var g = u;
      if (start > 0) g = concatColumns(constantLike(x, be.zeros(u.value.dtype(), rows, start), "zeros"), g);
      if (after > 0) g = concatColumns(g, constantLike(x, be.zeros(u.value.dtype(), rows, after), "zeros"));
      return new Var[] {g};
    }, x);
  }

  /**
   * {@code [a | b]}: the columns of {@code a[rows, p]} followed by those of {@code b[rows, q]}
   * (the previous layer's outputs concatenated with the raw input, Yu et al. 2010).
   */
  public static Var concatColumns(Var a, Var b) {
    Backend be = be(a);
    requireMatrix("concatColumns", a);
    requireMatrix("concatColumns", b);
    if (a.shape()[0] != b.shape()[0]) {
      throw new IllegalArgumentException("concatColumns needs the same number of rows, got "
          + Tensor.shapeString(a.shape()) + " and " + Tensor.shapeString(b.shape()));
    }
    int p = (int) a.shape()[1];
    int q = (int) b.shape()[1];
    return a.tape.record("concat-columns", be.concatColumns(a.value, b.value),
        (u, need) -> new Tensor[] {
          need[0] ? be.sliceColumns(u, 0, p) : null,
          need[1] ? be.sliceColumns(u, p, q) : null
        },
        (u, out, need) -> new Var[] {
          need[0] ? columns(u, 0, p) : null,
          need[1] ? columns(u, p, q) : null
        }, a, b);
  }

  private static void requireMatrix(String op, Var a) {
    if (a.shape().length != 2) {
      throw new IllegalArgumentException(op + " needs a matrix [rows, cols], got shape " + Tensor.shapeString(a.shape()));
    }
  }
}
