package dev.gradus.engine.nd4j;

import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.Device;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.SoftmaxCrossEntropy;
import dev.gradus.engine.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.impl.shape.Gather;
import org.nd4j.linalg.api.ops.impl.transforms.clip.ClipByValue;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Max;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The second backend: ND4J's array layer ({@code nd4j-native}, OpenBLAS), never SameDiff. Every
 * primitive is one or two INDArray operations, in place where the SPI allows it (updates,
 * gradients' scaling, masks).
 *
 * <p>Memory: each result is owned by the innermost open {@link MemoryScope} on its thread and is
 * released explicitly ({@link INDArray#close()}) when that scope closes, as the reference
 * backend does with its own tensors; {@link MemoryScope#keep} moves a tensor to the enclosing
 * scope, {@link #detach} out of every scope (the garbage collector, or {@link Tensor#close()},
 * frees it then). Results are never views of another tensor's buffer, so releasing one cannot
 * invalidate another.
 */
public final class Nd4jBackend implements Backend {
  public static final String NAME = "nd4j";
  public static final String ND4J_VERSION = "1.0.0-M2.1";

  private final Device device;
  private final int threads;
  private final ThreadLocal<Deque<Scope>> scopes = ThreadLocal.withInitial(ArrayDeque::new);

  public Nd4jBackend(Device device, int threads) {
    if (threads <= 0) throw new IllegalArgumentException("threads must be > 0, got " + threads);
    if (device.kind() != Device.Kind.CPU) {
      throw new IllegalArgumentException("the nd4j backend runs on cpu only (this build ships nd4j-native, not nd4j-cuda), not " + device);
    }
    configureNatives();
    try {
      Nd4j.getEnvironment().setMaxThreads(threads);
      Nd4j.getEnvironment().setMaxMasterThreads(threads);
      Nd4j.factory().blas().setMaxThreads(threads);
    } catch (RuntimeException | LinkageError e) {
      throw new IllegalStateException("cannot load ND4J's native backend (nd4j-native linux-x86_64, JavaCPP cache "
          + System.getProperty("org.bytedeco.javacpp.cachedir") + "): " + e.getMessage(), e);
    }
    this.device = device;
    this.threads = threads;
  }

  /**
   * Points JavaCPP's cache (where the natives unpack, about 400 MB) under Gradus's cache unless
   * the user chose one; must run before ND4J loads.
   */
  static void configureNatives() {
    if (System.getProperty("org.bytedeco.javacpp.cachedir") == null) {
      System.setProperty("org.bytedeco.javacpp.cachedir", cacheDir().toString());
    }
    OpenBlasKernel.apply();
  }

  static Path cacheDir() {
    return dev.gradus.engine.tensor.Backends.cacheDir().resolve("javacpp");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Device device() {
    return device;
  }

  @Override
  public String description() {
    String blas;
    try {
      blas = String.valueOf(Nd4j.factory().blas().getBlasVendor()).toLowerCase(java.util.Locale.ROOT);
    } catch (RuntimeException e) {
      blas = "unknown blas";
    }
    String kernel = OpenBlasKernel.applied();
    return "nd4j (nd4j-native " + ND4J_VERSION + ", " + blas + (kernel == null ? "" : " " + kernel) + ") on " + device + ", " + threads + " thread(s)";
  }

  // ---- errors -------------------------------------------------------------------------------

  /** The failure for an operation this backend lacks (or lacks for these arguments). */
  static UnsupportedOperationException unsupported(String op, String detail) {
    return new UnsupportedOperationException("backend 'nd4j' does not support operation '" + op + "': " + detail);
  }

  // ---- scopes -------------------------------------------------------------------------------

  final class Scope implements MemoryScope {
    final List<NdTensor> owned = new ArrayList<>();
    boolean closed;

    @Override
    public Tensor keep(Tensor t) {
      NdTensor r = nd(t);
      if (r.owner != null) r.owner.remove(r);
      Scope outer = null;
      boolean seen = false;
      for (Scope s : scopes.get()) {
        if (seen) {
          outer = s;
          break;
        }
        if (s == this) seen = true;
      }
      r.owner = outer;
      if (outer != null) outer.owned.add(r);
      return t;
    }

    void remove(NdTensor t) {
      // recent tensors are the usual ones to keep: search from the end
      for (int i = owned.size() - 1; i >= 0; i--) {
        if (owned.get(i) == t) {
          owned.remove(i);
          return;
        }
      }
    }

    @Override
    public void close() {
      if (closed) return;
      Deque<Scope> stack = scopes.get();
      if (stack.peek() != this) throw new IllegalStateException("memory scopes must close innermost first");
      closed = true;
      stack.pop();
      for (NdTensor t : owned) t.close();
      owned.clear();
    }
  }

  @Override
  public MemoryScope openScope() {
    Scope s = new Scope();
    scopes.get().push(s);
    return s;
  }

  @Override
  public Tensor detach(Tensor t) {
    NdTensor r = nd(t);
    if (r.owner != null) r.owner.remove(r);
    r.owner = null;
    return t;
  }

  private NdTensor nd(Tensor t) {
    if (!(t instanceof NdTensor r) || r.backend != this) {
      throw new IllegalArgumentException("tensor from another backend: " + t.backend().name());
    }
    r.live();
    return r;
  }

  private INDArray arr(Tensor t) {
    return nd(t).live();
  }

  /** Wraps a fresh result (never a view of another tensor) in the current scope. */
  private NdTensor own(INDArray a, DType dtype) {
    if (a.isView()) a = a.dup('c');
    NdTensor t = new NdTensor(this, a, dtype, a.shape());
    Scope s = scopes.get().peek();
    if (s != null) {
      t.owner = s;
      s.owned.add(t);
    }
    return t;
  }

  private NdTensor own(INDArray a) {
    return own(a, gradus(a.dataType()));
  }

  static DataType nd4j(DType t) {
    return switch (t) {
      case FLOAT32 -> DataType.FLOAT;
      case FLOAT64 -> DataType.DOUBLE;
      case INT64 -> DataType.LONG;
    };
  }

  static DType gradus(DataType t) {
    return switch (t) {
      case FLOAT -> DType.FLOAT32;
      case DOUBLE -> DType.FLOAT64;
      case LONG -> DType.INT64;
      default -> throw unsupported("dtype", "ND4J type " + t + " (Gradus uses FLOAT32, FLOAT64, INT64)");
    };
  }

  // ---- creation -----------------------------------------------------------------------------

  private static void checkCount(String op, int n, long[] shape) {
    long need = 1;
    for (long d : shape) need *= d;
    if (need != n) throw new IllegalArgumentException(op + ": shape " + Arrays.toString(shape) + " needs " + need + " values, got " + n);
  }

  @Override
  public Tensor fromFloats(float[] data, long... shape) {
    checkCount("fromFloats", data.length, shape);
    INDArray a = shape.length == 0 ? Nd4j.scalar(DataType.FLOAT, data[0]) : Nd4j.create(data.clone(), shape.clone(), DataType.FLOAT);
    return own(a, DType.FLOAT32);
  }

  @Override
  public Tensor fromDoubles(double[] data, long... shape) {
    checkCount("fromDoubles", data.length, shape);
    INDArray a = shape.length == 0 ? Nd4j.scalar(DataType.DOUBLE, data[0]) : Nd4j.create(data.clone(), shape.clone(), DataType.DOUBLE);
    return own(a, DType.FLOAT64);
  }

  @Override
  public Tensor fromLongs(long[] data, long... shape) {
    checkCount("fromLongs", data.length, shape);
    INDArray a = shape.length == 0 ? Nd4j.scalar(DataType.LONG, data[0]) : Nd4j.create(data.clone(), shape.clone(), DataType.LONG);
    return own(a, DType.INT64);
  }

  @Override
  public Tensor full(DType dtype, double value, long... shape) {
    INDArray a;
    if (shape.length == 0) {
      a = Nd4j.scalar(nd4j(dtype), value);
    } else if (dtype == DType.INT64) {
      a = Nd4j.valueArrayOf(shape.clone(), (long) value, DataType.LONG);
    } else {
      a = Nd4j.valueArrayOf(shape.clone(), value, nd4j(dtype));
    }
    return own(a, dtype);
  }

  @Override
  public Tensor cast(Tensor a, DType dtype) {
    INDArray x = arr(a);
    // castTo returns the same array when the type already matches: copy then
    return own(a.dtype() == dtype ? x.dup() : x.castTo(nd4j(dtype)), dtype);
  }

  @Override
  public Tensor reshape(Tensor a, long... shape) {
    INDArray x = arr(a);
    checkCount("reshape", (int) x.length(), shape);
    if (shape.length == 0) return own(Nd4j.scalar(x.dataType(), 0).assign(x.getDouble(0)), a.dtype());
    if (x.rank() == 0) return own(Nd4j.valueArrayOf(shape.clone(), x.getDouble(0), x.dataType()), a.dtype());
    // a copy: the result must not share the (separately released) buffer of a
    return own(x.reshape('c', shape.clone()).dup('c'), a.dtype());
  }

  // ---- element-wise ---------------------------------------------------------------------------

  private static long[] broadcastShape(String op, long[] a, long[] b) {
    int n = Math.max(a.length, b.length);
    long[] out = new long[n];
    for (int k = 0; k < n; k++) {
      long da = k < n - a.length ? 1 : a[k - (n - a.length)];
      long db = k < n - b.length ? 1 : b[k - (n - b.length)];
      if (da != db && da != 1 && db != 1) {
        throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
      }
      out[k] = Math.max(da, db);
    }
    return out;
  }

  private enum Bin { ADD, SUB, MUL, DIV, MAX }

  private Tensor binary(String name, Bin op, Tensor ta, Tensor tb) {
    INDArray a = arr(ta);
    INDArray b = arr(tb);
    DType t = ta.dtype() == tb.dtype() ? ta.dtype()
        : (ta.dtype() == DType.FLOAT64 || tb.dtype() == DType.FLOAT64 ? DType.FLOAT64 : DType.FLOAT32);
    if (ta.dtype() != t) a = a.castTo(nd4j(t));
    if (tb.dtype() != t) b = b.castTo(nd4j(t));
    long[] sa = ta.shape();
    long[] sb = tb.shape();
    if (Arrays.equals(sa, sb)) {
      // same shapes: ND4J's pairwise transforms, one call, no shape inference
      INDArray r = switch (op) {
        case ADD -> a.add(b);
        case SUB -> a.sub(b);
        case MUL -> a.mul(b);
        case DIV -> a.div(b);
        case MAX -> Transforms.max(a, b, true);
      };
      return own(r, t);
    }
    long[] shape = broadcastShape(name, sa, sb);
    INDArray z = Nd4j.createUninitialized(nd4j(t), shape, 'c');
    INDArray[] in = {a, b};
    INDArray[] out = {z};
    CustomOp c = switch (op) {
      case ADD -> new AddOp(in, out);
      case SUB -> new SubOp(in, out);
      case MUL -> new MulOp(in, out);
      case DIV -> new DivOp(in, out);
      case MAX -> new Max(in, out);
    };
    Nd4j.exec(c);
    return own(z, t);
  }

  @Override
  public Tensor add(Tensor a, Tensor b) {
    return binary("add", Bin.ADD, a, b);
  }

  @Override
  public Tensor sub(Tensor a, Tensor b) {
    return binary("sub", Bin.SUB, a, b);
  }

  @Override
  public Tensor mul(Tensor a, Tensor b) {
    return binary("mul", Bin.MUL, a, b);
  }

  @Override
  public Tensor div(Tensor a, Tensor b) {
    return binary("div", Bin.DIV, a, b);
  }

  @Override
  public Tensor maximum(Tensor a, Tensor b) {
    return binary("maximum", Bin.MAX, a, b);
  }

  private INDArray floating(String op, Tensor a) {
    if (!a.dtype().isFloating()) throw unsupported(op, "needs a floating-point tensor, got " + a.dtype());
    return arr(a);
  }

  @Override
  public Tensor scale(Tensor a, double s) {
    return own(arr(a).mul(s), a.dtype());
  }

  @Override
  public Tensor addScalar(Tensor a, double s) {
    return own(arr(a).add(s), a.dtype());
  }

  @Override
  public Tensor neg(Tensor a) {
    return own(arr(a).neg(), a.dtype());
  }

  @Override
  public Tensor exp(Tensor a) {
    return own(Transforms.exp(floating("exp", a), true), a.dtype());
  }

  @Override
  public Tensor log(Tensor a) {
    return own(Transforms.log(floating("log", a), true), a.dtype());
  }

  @Override
  public Tensor tanh(Tensor a) {
    return own(Transforms.tanh(floating("tanh", a), true), a.dtype());
  }

  @Override
  public Tensor sigmoid(Tensor a) {
    return own(Transforms.sigmoid(floating("sigmoid", a), true), a.dtype());
  }

  @Override
  public Tensor relu(Tensor a) {
    return own(Transforms.relu(floating("relu", a), true), a.dtype());
  }

  @Override
  public Tensor abs(Tensor a) {
    return own(Transforms.abs(arr(a), true), a.dtype());
  }

  @Override
  public Tensor sqrt(Tensor a) {
    return own(Transforms.sqrt(floating("sqrt", a), true), a.dtype());
  }

  @Override
  public Tensor square(Tensor a) {
    return own(arr(a).mul(arr(a)), a.dtype());
  }

  @Override
  public Tensor clamp(Tensor a, double lo, double hi) {
    if (lo > hi) throw new IllegalArgumentException("clamp needs lo <= hi, got " + lo + " > " + hi);
    return own(Nd4j.exec(new ClipByValue(floating("clamp", a), lo, hi))[0], a.dtype());
  }

  @Override
  public Tensor positiveMask(Tensor a) {
    // step(x) = 1 where x > 0, else 0, in x's type
    return own(Transforms.step(floating("positiveMask", a), true), a.dtype());
  }

  @Override
  public Tensor reluBackward(Tensor upstream, Tensor output) {
    // mask in place, then scaled by upstream in place: one allocation
    if (!Arrays.equals(upstream.shape(), output.shape())) return Backend.super.reluBackward(upstream, output);
    INDArray mask = Transforms.step(floating("reluBackward", output), true);
    return own(mask.muli(arr(upstream)), upstream.dtype());
  }

  // ---- reductions ---------------------------------------------------------------------------

  private NdTensor scalarOf(DType dtype, double v) {
    return own(Nd4j.scalar(nd4j(dtype), v), dtype);
  }

  @Override
  public Tensor sum(Tensor a) {
    INDArray x = arr(a);
    if (a.dtype() == DType.INT64) return own(Nd4j.scalar(DataType.LONG, x.sumNumber().longValue()), DType.INT64);
    INDArray s = x.sum();
    if (s.rank() != 0) s = Nd4j.scalar(x.dataType(), s.getDouble(0));
    return own(s, a.dtype());
  }

  @Override
  public Tensor sum(Tensor a, int axis, boolean keepDims) {
    INDArray x = arr(a);
    int ax = axis < 0 ? axis + x.rank() : axis;
    if (ax < 0 || ax >= x.rank()) throw new IllegalArgumentException("sum: axis " + axis + " out of range for shape " + Arrays.toString(a.shape()));
    return own(x.sum(keepDims, ax), a.dtype());
  }

  @Override
  public Tensor mean(Tensor a) {
    INDArray x = floating("mean", a);
    INDArray m = x.mean();
    if (m.rank() != 0) m = Nd4j.scalar(x.dataType(), m.getDouble(0));
    return own(m, a.dtype());
  }

  @Override
  public Tensor argmaxRows(Tensor a) {
    INDArray x = arr(a);
    if (x.rank() != 2) throw unsupported("argmaxRows", "needs a matrix, got shape " + Arrays.toString(a.shape()));
    INDArray r = Nd4j.argMax(x, 1);
    if (r.dataType() != DataType.LONG) r = r.castTo(DataType.LONG);
    return own(r.reshape(x.rows()), DType.INT64);
  }

  @Override
  public long countEqual(Tensor a, Tensor b) {
    long[] x = toLongs(a);
    long[] y = toLongs(b);
    if (x.length != y.length) throw new IllegalArgumentException("countEqual needs equal sizes: " + x.length + " vs " + y.length);
    long n = 0;
    for (int i = 0; i < x.length; i++) if (x[i] == y[i]) n++;
    return n;
  }

  @Override
  public Tensor rowMax(Tensor a) {
    INDArray x = arr(a);
    if (x.rank() != 2) throw unsupported("rowMax", "needs a matrix, got shape " + Arrays.toString(a.shape()));
    return own(x.max(true, 1), a.dtype());
  }

  // ---- linear algebra -----------------------------------------------------------------------

  @Override
  public Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB) {
    INDArray x = floating("matmul", a);
    INDArray y = floating("matmul", b);
    if (x.rank() != 2 || y.rank() != 2) {
      throw unsupported("matmul", "needs matrices, got " + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()));
    }
    long k = transposeA ? x.rows() : x.columns();
    long k2 = transposeB ? y.columns() : y.rows();
    if (k != k2) {
      throw new IllegalArgumentException("matmul inner sizes differ: " + Arrays.toString(a.shape()) + (transposeA ? "ᵀ" : "")
          + " · " + Arrays.toString(b.shape()) + (transposeB ? "ᵀ" : ""));
    }
    if (a.dtype() != b.dtype()) throw unsupported("matmul", "mixed types " + a.dtype() + " and " + b.dtype());
    return own(Nd4j.gemm(x, y, transposeA, transposeB), a.dtype());
  }

  @Override
  public Tensor affine(Tensor x, Tensor w, Tensor bias) {
    NdTensor y = (NdTensor) matmul(x, w, false, true);
    if (bias == null) return y;
    INDArray b = arr(bias);
    if (bias.dtype() != x.dtype() || b.length() != y.arr.columns()) return Backend.super.affine(x, w, bias);
    y.arr.addiRowVector(b.rank() == 1 ? b.reshape(1, b.length()) : b);
    return y;
  }

  @Override
  public Tensor sliceColumns(Tensor a, int start, int count) {
    INDArray x = arr(a);
    if (x.rank() != 2) throw unsupported("sliceColumns", "needs a matrix, got shape " + Arrays.toString(a.shape()));
    if (start < 0 || count < 0 || start + count > x.columns()) {
      throw new IllegalArgumentException("columns " + start + ".." + (start + count - 1) + " out of range for shape " + Arrays.toString(a.shape()));
    }
    if (count == 0) return own(Nd4j.create(nd4j(a.dtype()), x.rows(), 0), a.dtype());
    return own(x.get(NDArrayIndex.all(), NDArrayIndex.interval(start, start + count)).dup('c'), a.dtype());
  }

  @Override
  public Tensor concatColumns(Tensor a, Tensor b) {
    INDArray x = arr(a);
    INDArray y = arr(b);
    if (x.rank() != 2 || y.rank() != 2 || x.rows() != y.rows()) {
      throw new IllegalArgumentException("concatColumns needs matrices with equal rows, got " + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()));
    }
    if (a.dtype() != b.dtype()) throw unsupported("concatColumns", "mixed types " + a.dtype() + " and " + b.dtype());
    return own(Nd4j.concat(1, x, y), a.dtype());
  }

  // ---- rows and classes ---------------------------------------------------------------------

  @Override
  public Tensor takeRows(Tensor a, Tensor indices) {
    INDArray x = arr(a);
    INDArray idx = arr(indices);
    if (indices.dtype() != DType.INT64) throw unsupported("takeRows", "indices must be INT64, got " + indices.dtype());
    if (x.rank() != 1 && x.rank() != 2) throw unsupported("takeRows", "needs a vector or matrix, got shape " + Arrays.toString(a.shape()));
    long n = idx.length();
    if (n == 0) return own(x.rank() == 1 ? Nd4j.create(x.dataType(), 0) : Nd4j.create(x.dataType(), 0, x.columns()), a.dtype());
    INDArray r = Nd4j.exec(new Gather(x, idx, 0))[0];
    return own(r, a.dtype());
  }

  @Override
  public Tensor pickColumns(Tensor a, Tensor labels) {
    INDArray x = arr(a);
    if (x.rank() != 2) throw unsupported("pickColumns", "needs a matrix, got shape " + Arrays.toString(a.shape()));
    long[] lab = toLongs(labels);
    if (lab.length != x.rows()) throw new IllegalArgumentException("pickColumns: " + lab.length + " labels for " + x.rows() + " rows");
    double[] out = new double[lab.length];
    for (int i = 0; i < lab.length; i++) out[i] = x.getDouble(i, lab[i]);
    return fromDoubles(a.dtype(), out, lab.length);
  }

  @Override
  public Tensor oneHot(Tensor labels, int classes, DType dtype) {
    long[] lab = toLongs(labels);
    double[] out = new double[Math.multiplyExact(lab.length, classes)];
    for (int i = 0; i < lab.length; i++) {
      if (lab[i] < 0 || lab[i] >= classes) throw new IllegalArgumentException("oneHot: label " + lab[i] + " outside 0.." + (classes - 1));
      out[i * classes + (int) lab[i]] = 1.0;
    }
    return fromDoubles(dtype, out, lab.length, classes);
  }

  @Override
  public Tensor logSoftmax(Tensor logits) {
    INDArray z = floating("logSoftmax", logits);
    if (z.rank() != 2) throw unsupported("logSoftmax", "needs a matrix, got shape " + Arrays.toString(logits.shape()));
    // ND4J's log_softmax op overflows for large logits (1000 gives -inf): shift by the row max
    INDArray max = z.max(true, 1);
    INDArray shifted = z.subColumnVector(max);
    INDArray e = Transforms.exp(shifted, true);
    INDArray lse = e.sum(true, 1);
    Transforms.log(lse, false);
    shifted.subiColumnVector(lse);
    max.close();
    e.close();
    lse.close();
    return own(shifted, logits.dtype());
  }

  @Override
  public SoftmaxCrossEntropy softmaxCrossEntropy(Tensor logits, Tensor labels) {
    NdTensor logp = (NdTensor) logSoftmax(logits);
    long[] lab = toLongs(labels);
    INDArray p = logp.arr;
    if (lab.length != p.rows()) throw new IllegalArgumentException("softmaxCrossEntropy: " + lab.length + " labels for " + p.rows() + " rows");
    double total = 0;
    for (int i = 0; i < lab.length; i++) total += p.getDouble(i, lab[i]);
    return new SoftmaxCrossEntropy(scalarOf(logits.dtype(), -total / lab.length), logp);
  }

  @Override
  public Tensor softmaxCrossEntropyBackward(Tensor logProbabilities, Tensor labels, Tensor upstream) {
    INDArray logp = floating("softmaxCrossEntropyBackward", logProbabilities);
    long[] lab = toLongs(labels);
    long rows = logp.rows();
    if (lab.length != rows) throw new IllegalArgumentException("softmaxCrossEntropyBackward: " + lab.length + " labels for " + rows + " rows");
    INDArray d = Transforms.exp(logp, true);
    for (int i = 0; i < lab.length; i++) d.putScalar(i, lab[i], d.getDouble(i, lab[i]) - 1.0);
    d.muli(item(upstream) / rows);
    return own(d, logProbabilities.dtype());
  }

  // ---- in place -----------------------------------------------------------------------------

  @Override
  public void addInPlace(Tensor target, Tensor x, double alpha) {
    INDArray t = arr(target);
    INDArray v = arr(x);
    if (t.length() != v.length()) throw new IllegalArgumentException("addInPlace needs equal sizes: " + t.length() + " vs " + v.length());
    if (alpha == 1.0) {
      t.addi(v.reshape(t.shape()));
    } else if (target.dtype() == x.dtype() && target.dtype().isFloating() && Arrays.equals(target.shape(), x.shape())) {
      // BLAS axpy: target += alpha·x with no temporary
      Nd4j.getBlasWrapper().level1().axpy(t.length(), alpha, v, t);
    } else {
      INDArray s = v.mul(alpha);
      t.addi(s.reshape(t.shape()));
      s.close();
    }
  }

  @Override
  public void scaleInPlace(Tensor target, double s) {
    arr(target).muli(s);
  }

  @Override
  public void copyInto(Tensor target, Tensor source) {
    INDArray t = arr(target);
    INDArray v = arr(source);
    if (t.length() != v.length()) throw new IllegalArgumentException("copyInto needs equal sizes: " + t.length() + " vs " + v.length());
    t.assign(Arrays.equals(target.shape(), source.shape()) ? v : v.reshape(t.shape()));
  }

  // ---- reading back -------------------------------------------------------------------------

  private static INDArray contiguous(INDArray a) {
    return a.isView() || a.ordering() != 'c' ? a.dup('c') : a;
  }

  @Override
  public float[] toFloats(Tensor a) {
    INDArray x = contiguous(arr(a));
    return x.length() == 0 ? new float[0] : x.data().asFloat();
  }

  @Override
  public double[] toDoubles(Tensor a) {
    INDArray x = contiguous(arr(a));
    return x.length() == 0 ? new double[0] : x.data().asDouble();
  }

  @Override
  public long[] toLongs(Tensor a) {
    INDArray x = contiguous(arr(a));
    return x.length() == 0 ? new long[0] : x.data().asLong();
  }

  @Override
  public double item(Tensor a) {
    if (a.size() != 1) {
      throw new IllegalArgumentException("item() needs a one-element tensor, got shape " + Tensor.shapeString(a.shape()));
    }
    return arr(a).getDouble(0);
  }

  @Override
  public void close() {
    // tensors left outside scopes are released by ND4J's garbage-collector-driven deallocator
  }
}
