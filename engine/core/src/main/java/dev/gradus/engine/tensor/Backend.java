package dev.gradus.engine.tensor;

/**
 * The service-provider interface every tensor library implements: the few dozen primitives the
 * engine needs, and nothing else. Results are new tensors owned by the current
 * {@link MemoryScope} unless the method says "in place".
 *
 * <p>Broadcasting follows NumPy's rules, but the engine only relies on these cases: equal
 * shapes; a scalar against anything; a row vector {@code [n]} or {@code [1, n]} against a matrix
 * {@code [m, n]}; a column {@code [m, 1]} against {@code [m, n]}.
 *
 * <p>Composite primitives (affine, softmax cross-entropy, ...) have default implementations in
 * terms of the basic ones; a backend overrides them to make one native call instead of several.
 */
public interface Backend extends AutoCloseable {

  /** Stable short name recorded in run records: "pytorch", "reference", ... */
  String name();

  Device device();

  /** Library versions and settings for run records (e.g. "libtorch 2.7.1, 1 thread"). */
  default String description() {
    return name() + " on " + device();
  }

  // ---- creation -------------------------------------------------------------------------

  Tensor fromFloats(float[] data, long... shape);

  Tensor fromDoubles(double[] data, long... shape);

  Tensor fromLongs(long[] data, long... shape);

  /** Values given as doubles, stored as {@code dtype} (rounded for FLOAT32). */
  default Tensor fromDoubles(DType dtype, double[] data, long... shape) {
    switch (dtype) {
      case FLOAT64:
        return fromDoubles(data, shape);
      case FLOAT32: {
        float[] f = new float[data.length];
        for (int i = 0; i < data.length; i++) f[i] = (float) data[i];
        return fromFloats(f, shape);
      }
      default: {
        long[] l = new long[data.length];
        for (int i = 0; i < data.length; i++) l[i] = (long) data[i];
        return fromLongs(l, shape);
      }
    }
  }

  /** Class labels or row indices as a 1-D INT64 tensor. */
  default Tensor fromInts(int[] data) {
    long[] l = new long[data.length];
    for (int i = 0; i < data.length; i++) l[i] = data[i];
    return fromLongs(l, data.length);
  }

  Tensor full(DType dtype, double value, long... shape);

  default Tensor zeros(DType dtype, long... shape) {
    return full(dtype, 0.0, shape);
  }

  default Tensor scalar(DType dtype, double value) {
    return full(dtype, value);
  }

  Tensor cast(Tensor a, DType dtype);

  /** Same data, new shape (same number of elements). */
  Tensor reshape(Tensor a, long... shape);

  // ---- memory ---------------------------------------------------------------------------

  /** Opens a scope that owns the tensors made on this thread until it is closed. Scopes nest. */
  MemoryScope openScope();

  /**
   * Takes {@code t} out of every scope: it then lives until {@link Tensor#close()} or until the
   * backend closes. For state that must outlive a step (optimizer buffers made lazily).
   */
  Tensor detach(Tensor t);

  // ---- element-wise (broadcasting) ------------------------------------------------------

  Tensor add(Tensor a, Tensor b);

  Tensor sub(Tensor a, Tensor b);

  Tensor mul(Tensor a, Tensor b);

  Tensor div(Tensor a, Tensor b);

  /** {@code a * s}. */
  Tensor scale(Tensor a, double s);

  /** {@code a + s}. */
  Tensor addScalar(Tensor a, double s);

  default Tensor neg(Tensor a) {
    return scale(a, -1.0);
  }

  Tensor exp(Tensor a);

  Tensor log(Tensor a);

  Tensor tanh(Tensor a);

  Tensor sigmoid(Tensor a);

  Tensor relu(Tensor a);

  Tensor abs(Tensor a);

  Tensor sqrt(Tensor a);

  default Tensor square(Tensor a) {
    return mul(a, a);
  }

  /** Element-wise {@code max(a, b)} (broadcasting). */
  Tensor maximum(Tensor a, Tensor b);

  /** Each element limited to {@code [lo, hi]}. */
  Tensor clamp(Tensor a, double lo, double hi);

  /** 1 where {@code a > 0}, else 0, in a's type. */
  Tensor positiveMask(Tensor a);

  /** {@code a / (1 + |a|)}. */
  default Tensor softsign(Tensor a) {
    return div(a, addScalar(abs(a), 1.0));
  }

  /** {@code log(1 + exp(a))}, computed without overflow for large {@code a}. */
  default Tensor softplus(Tensor a) {
    // softplus(a) = relu(a) + log(1 + exp(-|a|))
    return add(relu(a), log(addScalar(exp(neg(abs(a))), 1.0)));
  }

  // ---- reductions -----------------------------------------------------------------------

  /** Sum of all elements, as a 0-d tensor. */
  Tensor sum(Tensor a);

  /** Sum along {@code axis}; with keepDims the axis stays with size 1. */
  Tensor sum(Tensor a, int axis, boolean keepDims);

  default Tensor mean(Tensor a) {
    return scale(sum(a), 1.0 / a.size());
  }

  /** {@code Σ a²} as a 0-d tensor (squared L2 norm, for clipping and diagnostics). */
  default Tensor sumOfSquares(Tensor a) {
    return sum(square(a));
  }

  /** Index of the largest element of each row of a matrix, as INT64 {@code [rows]}. */
  Tensor argmaxRows(Tensor a);

  /** Number of positions where two INT64 tensors of equal shape agree. */
  long countEqual(Tensor a, Tensor b);

  // ---- linear algebra -------------------------------------------------------------------

  /** {@code op(a) · op(b)} for matrices, where op transposes when its flag is set. */
  Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB);

  /** {@code x · wᵀ + bias} (bias may be null): a dense layer's forward, PyTorch's layout {@code w[out, in]}. */
  default Tensor affine(Tensor x, Tensor w, Tensor bias) {
    Tensor y = matmul(x, w, false, true);
    return bias == null ? y : add(y, bias);
  }

  // ---- rows and classes -----------------------------------------------------------------

  /** The rows of {@code a} at the INT64 {@code indices}, in that order. */
  Tensor takeRows(Tensor a, Tensor indices);

  /** {@code a[i, labels[i]]} for each row i: shape {@code [rows]}. */
  Tensor pickColumns(Tensor a, Tensor labels);

  /**
   * Columns {@code start .. start+count-1} of {@code a[rows, cols]}. The default multiplies by a
   * 0/1 selection matrix (exact while the other columns are finite); backends override it with
   * a copy.
   */
  default Tensor sliceColumns(Tensor a, int start, int count) {
    long cols = a.shape()[1];
    double[] m = new double[Math.multiplyExact(count, (int) cols)];
    for (int i = 0; i < count; i++) m[i * (int) cols + start + i] = 1.0;
    return matmul(a, fromDoubles(a.dtype(), m, count, cols), false, true);
  }

  /**
   * {@code [a | b]}, the columns of {@code a[rows, p]} followed by those of {@code b[rows, q]}.
   * The default adds two products with 0/1 placement matrices; backends override it with a copy.
   */
  default Tensor concatColumns(Tensor a, Tensor b) {
    int p = (int) a.shape()[1];
    int q = (int) b.shape()[1];
    double[] ma = new double[Math.multiplyExact(p, p + q)];
    double[] mb = new double[Math.multiplyExact(q, p + q)];
    for (int i = 0; i < p; i++) ma[i * (p + q) + i] = 1.0;
    for (int i = 0; i < q; i++) mb[i * (p + q) + p + i] = 1.0;
    return add(matmul(a, fromDoubles(a.dtype(), ma, p, p + q), false, false), matmul(b, fromDoubles(b.dtype(), mb, q, p + q), false, false));
  }

  /** Rows of one-hot vectors of the given width and type. */
  Tensor oneHot(Tensor labels, int classes, DType dtype);

  /** Row-wise log-softmax of a matrix, stable for large logits. */
  default Tensor logSoftmax(Tensor logits) {
    // log softmax(z) = z - max - log(sum(exp(z - max))); shifting by the row max avoids overflow
    Tensor max = rowMax(logits);
    Tensor shifted = sub(logits, max);
    return sub(shifted, log(sum(exp(shifted), 1, true)));
  }

  /** Largest element of each row, shape {@code [rows, 1]}. */
  Tensor rowMax(Tensor a);

  /**
   * Fused softmax cross-entropy: mean over rows of {@code -log softmax(logits)[label]}, and the
   * log-softmax that its gradient needs.
   */
  default SoftmaxCrossEntropy softmaxCrossEntropy(Tensor logits, Tensor labels) {
    Tensor logp = logSoftmax(logits);
    Tensor loss = neg(mean(pickColumns(logp, labels)));
    return new SoftmaxCrossEntropy(loss, logp);
  }

  /**
   * Gradient of the mean softmax cross-entropy with respect to the logits, times the scalar
   * {@code upstream}: {@code (softmax − onehot(labels)) · upstream / rows}, from the forward's
   * log-softmax.
   */
  default Tensor softmaxCrossEntropyBackward(Tensor logProbabilities, Tensor labels, Tensor upstream) {
    long rows = logProbabilities.dim(0);
    Tensor probabilities = exp(logProbabilities);
    Tensor d = sub(probabilities, oneHot(labels, (int) probabilities.dim(1), probabilities.dtype()));
    return scale(mul(d, upstream), 1.0 / rows);
  }

  /** {@code upstream · 1[output > 0]}: the ReLU backward from the ReLU's output. */
  default Tensor reluBackward(Tensor upstream, Tensor output) {
    return mul(upstream, positiveMask(output));
  }

  // ---- in place -------------------------------------------------------------------------

  /** {@code target += alpha * x}, in place. */
  void addInPlace(Tensor target, Tensor x, double alpha);

  /** {@code target *= s}, in place. */
  void scaleInPlace(Tensor target, double s);

  /** {@code target := source}, in place (same shape). */
  void copyInto(Tensor target, Tensor source);

  // ---- reading back ---------------------------------------------------------------------

  float[] toFloats(Tensor a);

  double[] toDoubles(Tensor a);

  long[] toLongs(Tensor a);

  default double item(Tensor a) {
    if (a.size() != 1) {
      throw new IllegalArgumentException("item() needs a one-element tensor, got shape " + Tensor.shapeString(a.shape()));
    }
    return a.dtype() == DType.FLOAT32 ? toFloats(a)[0] : toDoubles(a)[0];
  }

  /** Whether every element is finite (no NaN, no ±Inf). */
  default boolean allFinite(Tensor a) {
    double s = item(sum(a));
    if (Double.isFinite(s)) return true;
    // the sum may overflow with finite elements: 0·x is 0 for finite x and NaN for NaN/Inf
    return Double.isFinite(item(sum(scale(a, 0.0))));
  }

  /** Frees the backend's own resources; tensors it made are invalid afterwards. */
  @Override
  void close();
}
