package dev.gradus.engine.tensor.reference;

import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.BackendProvider;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.Device;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * A plain-Java backend: every primitive written out with loops over {@code double[]}, FLOAT32
 * results rounded to float after each primitive. It is the readable reference the fast backends
 * are checked against, and it lets the engine's own tests run without native libraries. It
 * also enforces scope discipline: using a tensor after its scope closed throws.
 */
public final class ReferenceBackend implements Backend {
  public static final String NAME = "reference";

  private final ThreadLocal<Deque<Scope>> scopes = ThreadLocal.withInitial(ArrayDeque::new);

  public static BackendProvider provider() {
    return new BackendProvider() {
      @Override
      public String name() {
        return NAME;
      }

      @Override
      public String summary() {
        return "plain Java loops, slow; the reference for conformance tests";
      }

      @Override
      public Backend create(Device device, int threads) {
        if (device.kind() != Device.Kind.CPU) {
          throw new IllegalArgumentException("the reference backend runs on cpu only, not " + device);
        }
        return new ReferenceBackend();
      }
    };
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Device device() {
    return Device.CPU;
  }

  // ---- tensors and scopes ---------------------------------------------------------------

  static final class RefTensor implements Tensor {
    final ReferenceBackend backend;
    final DType dtype;
    final long[] shape;
    final double[] data;
    Scope owner;
    boolean closed;

    RefTensor(ReferenceBackend backend, DType dtype, long[] shape, double[] data) {
      this.backend = backend;
      this.dtype = dtype;
      this.shape = shape.clone();
      this.data = data;
      long n = 1;
      for (long d : shape) n *= d;
      if (n != data.length) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
      }
      if (dtype == DType.FLOAT32) for (int i = 0; i < data.length; i++) data[i] = (float) data[i];
    }

    @Override
    public ReferenceBackend backend() {
      return backend;
    }

    @Override
    public DType dtype() {
      return dtype;
    }

    @Override
    public long[] shape() {
      return shape;
    }

    @Override
    public void close() {
      closed = true;
    }

    double[] live() {
      if (closed) throw new IllegalStateException("tensor " + Arrays.toString(shape) + " used after its scope was closed");
      return data;
    }
  }

  final class Scope implements MemoryScope {
    final List<RefTensor> owned = new ArrayList<>();
    boolean closed;

    @Override
    public Tensor keep(Tensor t) {
      RefTensor r = ref(t);
      owned.remove(r);
      Deque<Scope> stack = scopes.get();
      // the enclosing scope is the one below this in the stack; none means the backend owns it
      Scope outer = null;
      boolean seen = false;
      for (Scope s : stack) {
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

    @Override
    public void close() {
      if (closed) return;
      closed = true;
      for (RefTensor t : owned) t.closed = true;
      owned.clear();
      Deque<Scope> stack = scopes.get();
      if (stack.peek() != this) throw new IllegalStateException("memory scopes must close innermost first");
      stack.pop();
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
    RefTensor r = ref(t);
    if (r.owner != null) r.owner.owned.remove(r);
    r.owner = null;
    return t;
  }

  private RefTensor make(DType dtype, long[] shape, double[] data) {
    RefTensor t = new RefTensor(this, dtype, shape, data);
    Scope s = scopes.get().peek();
    if (s != null) {
      t.owner = s;
      s.owned.add(t);
    }
    return t;
  }

  private RefTensor ref(Tensor t) {
    if (!(t instanceof RefTensor r) || r.backend != this) {
      throw new IllegalArgumentException("tensor from another backend: " + t.backend().name());
    }
    r.live();
    return r;
  }

  // ---- creation -------------------------------------------------------------------------

  @Override
  public Tensor fromFloats(float[] data, long... shape) {
    double[] d = new double[data.length];
    for (int i = 0; i < d.length; i++) d[i] = data[i];
    return make(DType.FLOAT32, shape, d);
  }

  @Override
  public Tensor fromDoubles(double[] data, long... shape) {
    return make(DType.FLOAT64, shape, data.clone());
  }

  @Override
  public Tensor fromLongs(long[] data, long... shape) {
    double[] d = new double[data.length];
    for (int i = 0; i < d.length; i++) d[i] = data[i];
    return make(DType.INT64, shape, d);
  }

  @Override
  public Tensor full(DType dtype, double value, long... shape) {
    long n = 1;
    for (long s : shape) n *= s;
    double[] d = new double[Math.toIntExact(n)];
    Arrays.fill(d, value);
    return make(dtype, shape, d);
  }

  @Override
  public Tensor cast(Tensor a, DType dtype) {
    RefTensor r = ref(a);
    double[] d = r.data.clone();
    if (dtype == DType.INT64) for (int i = 0; i < d.length; i++) d[i] = (long) d[i];
    return make(dtype, r.shape, d);
  }

  @Override
  public Tensor reshape(Tensor a, long... shape) {
    RefTensor r = ref(a);
    return make(r.dtype, shape, r.data.clone());
  }

  // ---- element-wise ---------------------------------------------------------------------

  private Tensor map(Tensor a, DoubleUnaryOperator f) {
    RefTensor r = ref(a);
    double[] out = new double[r.data.length];
    for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(r.data[i]);
    return make(r.dtype, r.shape, out);
  }

  /** Broadcasts two tensors of rank ≤ 2 by NumPy's rules and applies {@code f}. */
  private Tensor zip(Tensor a, Tensor b, DoubleBinaryOperator f) {
    RefTensor x = ref(a);
    RefTensor y = ref(b);
    long[] shape = broadcastShape(x.shape, y.shape);
    int rows = shape.length == 2 ? (int) shape[0] : 1;
    int cols = shape.length == 0 ? 1 : (int) shape[shape.length - 1];
    double[] out = new double[rows * cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        out[i * cols + j] = f.applyAsDouble(at(x, i, j), at(y, i, j));
      }
    }
    DType t = x.dtype == y.dtype ? x.dtype : (x.dtype == DType.FLOAT64 || y.dtype == DType.FLOAT64 ? DType.FLOAT64 : DType.FLOAT32);
    return make(t, shape, out);
  }

  private static double at(RefTensor t, int i, int j) {
    long[] s = t.shape;
    if (s.length == 0) return t.data[0];
    if (s.length == 1) return t.data[s[0] == 1 ? 0 : j];
    int r = s[0] == 1 ? 0 : i;
    int c = s[1] == 1 ? 0 : j;
    return t.data[(int) (r * s[1] + c)];
  }

  private static long[] broadcastShape(long[] a, long[] b) {
    if (a.length > 2 || b.length > 2) {
      throw new UnsupportedOperationException("reference backend broadcasts up to rank 2, got "
          + Arrays.toString(a) + " and " + Arrays.toString(b));
    }
    int n = Math.max(a.length, b.length);
    long[] out = new long[n];
    for (int k = 0; k < n; k++) {
      long da = k < n - a.length ? 1 : a[k - (n - a.length)];
      long db = k < n - b.length ? 1 : b[k - (n - b.length)];
      if (da != db && da != 1 && db != 1) {
        throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
      }
      out[k] = Math.max(da, db);
    }
    return out;
  }

  @Override
  public Tensor add(Tensor a, Tensor b) {
    return zip(a, b, Double::sum);
  }

  @Override
  public Tensor sub(Tensor a, Tensor b) {
    return zip(a, b, (x, y) -> x - y);
  }

  @Override
  public Tensor mul(Tensor a, Tensor b) {
    return zip(a, b, (x, y) -> x * y);
  }

  @Override
  public Tensor div(Tensor a, Tensor b) {
    return zip(a, b, (x, y) -> x / y);
  }

  @Override
  public Tensor scale(Tensor a, double s) {
    return map(a, x -> x * s);
  }

  @Override
  public Tensor addScalar(Tensor a, double s) {
    return map(a, x -> x + s);
  }

  @Override
  public Tensor exp(Tensor a) {
    return map(a, Math::exp);
  }

  @Override
  public Tensor log(Tensor a) {
    return map(a, Math::log);
  }

  @Override
  public Tensor tanh(Tensor a) {
    return map(a, Math::tanh);
  }

  @Override
  public Tensor sigmoid(Tensor a) {
    return map(a, x -> x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
  }

  @Override
  public Tensor relu(Tensor a) {
    return map(a, x -> x > 0 ? x : 0.0);
  }

  @Override
  public Tensor abs(Tensor a) {
    return map(a, Math::abs);
  }

  @Override
  public Tensor sqrt(Tensor a) {
    return map(a, Math::sqrt);
  }

  @Override
  public Tensor maximum(Tensor a, Tensor b) {
    // NaN propagates, as in torch.maximum
    return zip(a, b, (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.max(x, y));
  }

  @Override
  public Tensor clamp(Tensor a, double lo, double hi) {
    if (lo > hi) throw new IllegalArgumentException("clamp needs lo <= hi, got " + lo + " > " + hi);
    return map(a, x -> x < lo ? lo : (x > hi ? hi : x));
  }

  @Override
  public Tensor positiveMask(Tensor a) {
    return map(a, x -> x > 0 ? 1.0 : 0.0);
  }

  // ---- reductions -----------------------------------------------------------------------

  @Override
  public Tensor sum(Tensor a) {
    RefTensor r = ref(a);
    double s = 0;
    for (double v : r.data) s += v;
    return make(r.dtype, new long[0], new double[] {s});
  }

  @Override
  public Tensor sum(Tensor a, int axis, boolean keepDims) {
    RefTensor r = ref(a);
    if (r.shape.length != 2) throw new UnsupportedOperationException("reference backend sums along an axis of matrices only");
    int rows = (int) r.shape[0];
    int cols = (int) r.shape[1];
    int ax = axis < 0 ? axis + 2 : axis;
    double[] out = new double[ax == 0 ? cols : rows];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) out[ax == 0 ? j : i] += r.data[i * cols + j];
    }
    long[] shape = ax == 0
        ? (keepDims ? new long[] {1, cols} : new long[] {cols})
        : (keepDims ? new long[] {rows, 1} : new long[] {rows});
    return make(r.dtype, shape, out);
  }

  @Override
  public Tensor argmaxRows(Tensor a) {
    RefTensor r = ref(a);
    int rows = (int) r.shape[0];
    int cols = (int) r.shape[1];
    double[] out = new double[rows];
    for (int i = 0; i < rows; i++) {
      int best = 0;
      for (int j = 1; j < cols; j++) if (r.data[i * cols + j] > r.data[i * cols + best]) best = j;
      out[i] = best;
    }
    return make(DType.INT64, new long[] {rows}, out);
  }

  @Override
  public long countEqual(Tensor a, Tensor b) {
    double[] x = ref(a).data;
    double[] y = ref(b).data;
    if (x.length != y.length) throw new IllegalArgumentException("countEqual needs equal sizes: " + x.length + " vs " + y.length);
    long n = 0;
    for (int i = 0; i < x.length; i++) if (x[i] == y[i]) n++;
    return n;
  }

  @Override
  public Tensor rowMax(Tensor a) {
    RefTensor r = ref(a);
    int rows = (int) r.shape[0];
    int cols = (int) r.shape[1];
    double[] out = new double[rows];
    for (int i = 0; i < rows; i++) {
      double m = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < cols; j++) m = Math.max(m, r.data[i * cols + j]);
      out[i] = m;
    }
    return make(r.dtype, new long[] {rows, 1}, out);
  }

  // ---- linear algebra -------------------------------------------------------------------

  @Override
  public Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB) {
    RefTensor x = ref(a);
    RefTensor y = ref(b);
    if (x.shape.length != 2 || y.shape.length != 2) throw new IllegalArgumentException("matmul needs matrices");
    int xr = (int) x.shape[0], xc = (int) x.shape[1], yr = (int) y.shape[0], yc = (int) y.shape[1];
    int m = transposeA ? xc : xr;
    int k = transposeA ? xr : xc;
    int k2 = transposeB ? yc : yr;
    int n = transposeB ? yr : yc;
    if (k != k2) {
      throw new IllegalArgumentException("matmul inner sizes differ: " + Arrays.toString(x.shape) + (transposeA ? "ᵀ" : "")
          + " · " + Arrays.toString(y.shape) + (transposeB ? "ᵀ" : ""));
    }
    double[] out = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          double av = transposeA ? x.data[p * xc + i] : x.data[i * xc + p];
          double bv = transposeB ? y.data[j * yc + p] : y.data[p * yc + j];
          s += av * bv;
        }
        out[i * n + j] = s;
      }
    }
    return make(x.dtype, new long[] {m, n}, out);
  }

  // ---- rows and classes -----------------------------------------------------------------

  @Override
  public Tensor takeRows(Tensor a, Tensor indices) {
    RefTensor r = ref(a);
    double[] idx = ref(indices).data;
    int cols = r.shape.length == 1 ? 1 : (int) r.shape[1];
    double[] out = new double[idx.length * cols];
    for (int i = 0; i < idx.length; i++) {
      System.arraycopy(r.data, (int) idx[i] * cols, out, i * cols, cols);
    }
    long[] shape = r.shape.length == 1 ? new long[] {idx.length} : new long[] {idx.length, cols};
    return make(r.dtype, shape, out);
  }

  @Override
  public Tensor pickColumns(Tensor a, Tensor labels) {
    RefTensor r = ref(a);
    double[] lab = ref(labels).data;
    int cols = (int) r.shape[1];
    double[] out = new double[lab.length];
    for (int i = 0; i < lab.length; i++) out[i] = r.data[i * cols + (int) lab[i]];
    return make(r.dtype, new long[] {lab.length}, out);
  }

  @Override
  public Tensor sliceColumns(Tensor a, int start, int count) {
    RefTensor r = ref(a);
    int rows = (int) r.shape[0];
    int cols = (int) r.shape[1];
    double[] out = new double[rows * count];
    for (int i = 0; i < rows; i++) System.arraycopy(r.data, i * cols + start, out, i * count, count);
    return make(r.dtype, new long[] {rows, count}, out);
  }

  @Override
  public Tensor concatColumns(Tensor a, Tensor b) {
    RefTensor x = ref(a);
    RefTensor y = ref(b);
    int rows = (int) x.shape[0];
    int p = (int) x.shape[1];
    int q = (int) y.shape[1];
    double[] out = new double[rows * (p + q)];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(x.data, i * p, out, i * (p + q), p);
      System.arraycopy(y.data, i * q, out, i * (p + q) + p, q);
    }
    return make(x.dtype, new long[] {rows, p + q}, out);
  }

  @Override
  public Tensor oneHot(Tensor labels, int classes, DType dtype) {
    double[] lab = ref(labels).data;
    double[] out = new double[lab.length * classes];
    for (int i = 0; i < lab.length; i++) out[i * classes + (int) lab[i]] = 1.0;
    return make(dtype, new long[] {lab.length, classes}, out);
  }

  // ---- in place -------------------------------------------------------------------------

  @Override
  public void addInPlace(Tensor target, Tensor x, double alpha) {
    RefTensor t = ref(target);
    RefTensor v = ref(x);
    if (t.data.length != v.data.length) throw new IllegalArgumentException("addInPlace needs equal sizes");
    for (int i = 0; i < t.data.length; i++) t.data[i] = round(t, t.data[i] + alpha * v.data[i]);
  }

  @Override
  public void scaleInPlace(Tensor target, double s) {
    RefTensor t = ref(target);
    for (int i = 0; i < t.data.length; i++) t.data[i] = round(t, t.data[i] * s);
  }

  @Override
  public void copyInto(Tensor target, Tensor source) {
    RefTensor t = ref(target);
    RefTensor v = ref(source);
    if (t.data.length != v.data.length) throw new IllegalArgumentException("copyInto needs equal sizes");
    for (int i = 0; i < t.data.length; i++) t.data[i] = round(t, v.data[i]);
  }

  private static double round(RefTensor t, double v) {
    return t.dtype == DType.FLOAT32 ? (float) v : v;
  }

  // ---- reading back ---------------------------------------------------------------------

  @Override
  public float[] toFloats(Tensor a) {
    double[] d = ref(a).data;
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
    return f;
  }

  @Override
  public double[] toDoubles(Tensor a) {
    return ref(a).data.clone();
  }

  @Override
  public long[] toLongs(Tensor a) {
    double[] d = ref(a).data;
    long[] l = new long[d.length];
    for (int i = 0; i < d.length; i++) l[i] = (long) d[i];
    return l;
  }

  @Override
  public void close() {
    // nothing native to free
  }
}
