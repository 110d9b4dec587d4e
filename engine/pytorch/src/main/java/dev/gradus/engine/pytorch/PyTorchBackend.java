package dev.gradus.engine.pytorch;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.Device;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.SoftmaxCrossEntropy;
import dev.gradus.engine.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * The default backend: libtorch through DJL. Every primitive calls {@link JniUtils} directly, one
 * native call where libtorch has the operation, because at the reference MLP's size one DJL call
 * costs about as much as a Python eager op and the wrappers add hidden extra calls (see
 * BUILD-NOTES: Java-number operands, transpose shape queries, slicing).
 *
 * <p>Memory: a result belongs to its first operand's DJL manager; each is re-attached to the
 * innermost open {@link MemoryScope} (a DJL sub-manager), so closing the scope frees the
 * step's intermediates even when an operand is a long-lived parameter.
 */
public final class PyTorchBackend implements Backend {
  public static final String NAME = "pytorch";
  /** Constant scalars (learning rates, 1/N) are made once; bounded so a schedule cannot grow it forever. */
  private static final int SCALAR_CACHE_LIMIT = 4096;

  private final Device device;
  private final ai.djl.Device djlDevice;
  private final PtNDManager root;
  private final int threads;
  private final ThreadLocal<Deque<PtNDManager>> scopes = ThreadLocal.withInitial(ArrayDeque::new);
  private final ThreadLocal<Boolean> gradModeOff = ThreadLocal.withInitial(() -> false);
  private final Map<ScalarKey, PtNDArray> scalars = new HashMap<>();

  private record ScalarKey(DType dtype, long bits) {}

  public PyTorchBackend(Device device, int threads) {
    if (threads <= 0) throw new IllegalArgumentException("threads must be > 0, got " + threads);
    configureEngine(threads);
    Engine engine;
    try {
      engine = Engine.getEngine("PyTorch");
    } catch (RuntimeException | UnsatisfiedLinkError e) {
      throw new IllegalStateException("cannot load libtorch through DJL (offline, cache " + cacheDir() + "): " + e.getMessage(), e);
    }
    this.device = device;
    this.djlDevice = device.kind() == Device.Kind.CPU ? ai.djl.Device.cpu() : ai.djl.Device.gpu(device.index());
    if (device.kind() == Device.Kind.CUDA && engine.getGpuCount() <= device.index()) {
      throw new IllegalArgumentException("backend 'pytorch': device " + device + " requested but libtorch sees " + engine.getGpuCount()
          + " CUDA device(s) (libtorch " + engine.getVersion() + " loaded from " + cacheDir() + "; for a GPU, point PYTORCH_LIBRARY_PATH at a"
          + " CUDA build of libtorch, see the README's GPU section)");
    }
    JniUtils.setNumThreads(threads);
    this.threads = threads;
    this.root = (PtNDManager) NDManager.newBaseManager(djlDevice, "PyTorch");
  }

  /** DJL reads these once when the engine loads: offline natives, our cache, pinned threads. */
  private static void configureEngine(int threads) {
    System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
    String cache = cacheDir().toString();
    if (System.getProperty("DJL_CACHE_DIR") == null && System.getenv("DJL_CACHE_DIR") == null) System.setProperty("DJL_CACHE_DIR", cache);
    if (System.getProperty("ENGINE_CACHE_DIR") == null && System.getenv("ENGINE_CACHE_DIR") == null) System.setProperty("ENGINE_CACHE_DIR", cache);
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
    if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
  }

  static Path cacheDir() {
    return dev.gradus.engine.tensor.Backends.cacheDir().resolve("djl");
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
    return "pytorch (libtorch " + Engine.getEngine("PyTorch").getVersion() + " via DJL) on " + device + ", " + threads + " thread(s)";
  }

  // ---- tensors, scopes, conversions --------------------------------------------------------

  private PtNDManager current() {
    Deque<PtNDManager> s = scopes.get();
    return s.isEmpty() ? root : s.peek();
  }

  /** Wraps a fresh native result, moving it into the current scope; its shape is asked for lazily. */
  private PtTensor own(PtNDArray nd, DType dtype) {
    return own(nd, dtype, null);
  }

  /** As {@link #own(PtNDArray, DType)} with the shape already known (null: unknown). */
  private PtTensor own(PtNDArray nd, DType dtype, long[] shape) {
    PtNDManager m = current();
    if (nd.getManager() != m) nd.attach(m);
    return new PtTensor(this, nd, dtype, shape);
  }

  static PtNDArray nd(Tensor t) {
    if (!(t instanceof PtTensor p)) throw new IllegalArgumentException("tensor from another backend: " + t.backend().name());
    return p.nd;
  }

  static DataType djl(DType t) {
    return switch (t) {
      case FLOAT32 -> DataType.FLOAT32;
      case FLOAT64 -> DataType.FLOAT64;
      case INT64 -> DataType.INT64;
    };
  }

  static DType gradus(DataType t) {
    return switch (t) {
      case FLOAT32 -> DType.FLOAT32;
      case FLOAT64 -> DType.FLOAT64;
      case INT64 -> DType.INT64;
      default -> throw new IllegalStateException("unsupported libtorch type " + t);
    };
  }

  @Override
  public MemoryScope openScope() {
    if (!gradModeOff.get()) {
      // torch's grad mode is per thread; Gradus does its own autodiff, so autograd stays off
      JniUtils.setGradMode(false);
      gradModeOff.set(true);
    }
    PtNDManager sub = (PtNDManager) current().newSubManager();
    scopes.get().push(sub);
    return new MemoryScope() {
      boolean closed;

      @Override
      public Tensor keep(Tensor t) {
        Deque<PtNDManager> s = scopes.get();
        PtNDManager outer = root;
        boolean seen = false;
        for (PtNDManager m : s) {
          if (seen) {
            outer = m;
            break;
          }
          if (m == sub) seen = true;
        }
        nd(t).attach(outer);
        return t;
      }

      @Override
      public void close() {
        if (closed) return;
        closed = true;
        Deque<PtNDManager> s = scopes.get();
        if (s.peek() != sub) throw new IllegalStateException("memory scopes must close innermost first");
        s.pop();
        sub.close();
      }
    };
  }

  @Override
  public Tensor detach(Tensor t) {
    nd(t).attach(root);
    return t;
  }

  private PtTensor create(ByteBuffer buf, DType dtype, long[] shape) {
    PtNDArray nd = current().create(buf, new Shape(shape), djl(dtype));
    return new PtTensor(this, nd, dtype, shape.clone());
  }

  private static ByteBuffer buffer(int bytes) {
    return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
  }

  @Override
  public Tensor fromFloats(float[] data, long... shape) {
    ByteBuffer b = buffer(data.length * 4);
    b.asFloatBuffer().put(data);
    return create(b, DType.FLOAT32, shape);
  }

  @Override
  public Tensor fromDoubles(double[] data, long... shape) {
    ByteBuffer b = buffer(data.length * 8);
    b.asDoubleBuffer().put(data);
    return create(b, DType.FLOAT64, shape);
  }

  @Override
  public Tensor fromLongs(long[] data, long... shape) {
    ByteBuffer b = buffer(data.length * 8);
    b.asLongBuffer().put(data);
    return create(b, DType.INT64, shape);
  }

  @Override
  public Tensor full(DType dtype, double value, long... shape) {
    PtNDArray nd = JniUtils.full(current(), new Shape(shape), value, djl(dtype), djlDevice, ai.djl.ndarray.types.SparseFormat.DENSE);
    return own(nd, dtype, shape.clone());
  }

  /** A cached 0-d constant; libtorch treats 0-d operands as scalars, keeping the other operand's type. */
  private PtNDArray constant(DType dtype, double value) {
    ScalarKey k = new ScalarKey(dtype, Double.doubleToLongBits(value));
    synchronized (scalars) {
      PtNDArray c = scalars.get(k);
      if (c != null) return c;
      c = JniUtils.full(root, new Shape(), value, djl(dtype), djlDevice, ai.djl.ndarray.types.SparseFormat.DENSE);
      if (scalars.size() < SCALAR_CACHE_LIMIT) {
        scalars.put(k, c);
      } else {
        c.attach(current());
      }
      return c;
    }
  }

  @Override
  public Tensor cast(Tensor a, DType dtype) {
    return own(JniUtils.to(nd(a), djl(dtype), djlDevice), dtype, a.shape());
  }

  @Override
  public Tensor reshape(Tensor a, long... shape) {
    return own(JniUtils.reshape(nd(a), shape), a.dtype(), shape.clone());
  }

  // ---- element-wise --------------------------------------------------------------------------

  @Override
  public Tensor add(Tensor a, Tensor b) {
    return own(JniUtils.add(nd(a), nd(b)), a.dtype());
  }

  @Override
  public Tensor sub(Tensor a, Tensor b) {
    return own(JniUtils.sub(nd(a), nd(b)), a.dtype());
  }

  @Override
  public Tensor mul(Tensor a, Tensor b) {
    return own(JniUtils.mul(nd(a), nd(b)), a.dtype());
  }

  @Override
  public Tensor div(Tensor a, Tensor b) {
    return own(JniUtils.div(nd(a), nd(b)), a.dtype());
  }

  @Override
  public Tensor scale(Tensor a, double s) {
    return own(JniUtils.mul(nd(a), constant(a.dtype(), s)), a.dtype(), ((PtTensor) a).knownShape());
  }

  @Override
  public Tensor addScalar(Tensor a, double s) {
    return own(JniUtils.add(nd(a), constant(a.dtype(), s)), a.dtype(), ((PtTensor) a).knownShape());
  }

  @Override
  public Tensor neg(Tensor a) {
    return own(JniUtils.neg(nd(a)), a.dtype(), ((PtTensor) a).knownShape());
  }

  @Override
  public Tensor exp(Tensor a) {
    return own(JniUtils.exp(nd(a)), a.dtype(), ((PtTensor) a).knownShape());
  }

  @Override
  public Tensor log(Tensor a) {
    return own(JniUtils.log(nd(a)), a.dtype(), ((PtTensor) a).knownShape());
  }

  @Override
  public Tensor tanh(Tensor a) {
    return own(JniUtils.tanh(nd(a)), a.dtype(), ((PtTensor) a).knownShape());
  }

  @Override
  public Tensor sigmoid(Tensor a) {
    return own(JniUtils.sigmoid(nd(a)), a.dtype(), ((PtTensor) a).knownShape());
  }

  @Override
  public Tensor relu(Tensor a) {
    return own(JniUtils.relu(nd(a)), a.dtype(), ((PtTensor) a).knownShape());
  }

  @Override
  public Tensor abs(Tensor a) {
    return own(JniUtils.abs(nd(a)), a.dtype(), ((PtTensor) a).knownShape());
  }

  @Override
  public Tensor sqrt(Tensor a) {
    return own(JniUtils.sqrt(nd(a)), a.dtype(), ((PtTensor) a).knownShape());
  }

  @Override
  public Tensor square(Tensor a) {
    return own(JniUtils.square(nd(a)), a.dtype(), ((PtTensor) a).knownShape());
  }

  @Override
  public Tensor softsign(Tensor a) {
    return own(JniUtils.softSign(nd(a)), a.dtype(), ((PtTensor) a).knownShape());
  }

  @Override
  public Tensor softplus(Tensor a) {
    return own(JniUtils.softPlus(nd(a)), a.dtype(), ((PtTensor) a).knownShape());
  }

  @Override
  public Tensor maximum(Tensor a, Tensor b) {
    return own(JniUtils.max(nd(a), nd(b)), a.dtype());
  }

  @Override
  public Tensor clamp(Tensor a, double lo, double hi) {
    if (lo > hi) throw new IllegalArgumentException("clamp needs lo <= hi, got " + lo + " > " + hi);
    return own(JniUtils.clip(nd(a), lo, hi), a.dtype(), ((PtTensor) a).knownShape());
  }

  @Override
  public Tensor positiveMask(Tensor a) {
    PtNDArray mask = JniUtils.gt(nd(a), constant(a.dtype(), 0.0));
    PtNDArray typed = JniUtils.to(mask, djl(a.dtype()), djlDevice);
    mask.close();
    return own(typed, a.dtype(), ((PtTensor) a).knownShape());
  }

  @Override
  public Tensor reluBackward(Tensor upstream, Tensor output) {
    // libtorch multiplies by a bool mask directly, one call fewer than a typed mask
    PtNDArray mask = JniUtils.gt(nd(output), constant(output.dtype(), 0.0));
    PtNDArray d = JniUtils.mul(nd(upstream), mask);
    mask.close();
    return own(d, upstream.dtype(), ((PtTensor) upstream).knownShape());
  }

  // ---- reductions ----------------------------------------------------------------------------

  @Override
  public Tensor sum(Tensor a) {
    return own(JniUtils.sum(nd(a)), a.dtype(), new long[0]);
  }

  @Override
  public Tensor sum(Tensor a, int axis, boolean keepDims) {
    return own(JniUtils.sum(nd(a), new long[] {axis}, keepDims), a.dtype());
  }

  @Override
  public Tensor mean(Tensor a) {
    return own(JniUtils.mean(nd(a)), a.dtype(), new long[0]);
  }

  @Override
  public Tensor argmaxRows(Tensor a) {
    return own(JniUtils.argMax(nd(a), 1, false), DType.INT64);
  }

  @Override
  public long countEqual(Tensor a, Tensor b) {
    try (PtNDArray eq = JniUtils.eq(nd(a), nd(b)); PtNDArray s = JniUtils.sum(eq)) {
      return s.toLongArray()[0];
    }
  }

  @Override
  public Tensor rowMax(Tensor a) {
    return own(JniUtils.max(nd(a), 1, true), a.dtype());
  }

  // ---- linear algebra ------------------------------------------------------------------------

  @Override
  public Tensor sliceColumns(Tensor a, int start, int count) {
    // a view would keep the whole row block alive and reach later ops non-contiguous: copy
    PtNDArray view = JniUtils.slice(nd(a), 1, start, (long) start + count, 1);
    PtNDArray copy = JniUtils.clone(view);
    view.close();
    return own(copy, a.dtype(), new long[] {a.shape()[0], count});
  }

  @Override
  public Tensor concatColumns(Tensor a, Tensor b) {
    return own(JniUtils.cat(new PtNDArray[] {nd(a), nd(b)}, 1), a.dtype(), new long[] {a.shape()[0], a.shape()[1] + b.shape()[1]});
  }

  @Override
  public Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB) {
    PtNDArray x = nd(a);
    PtNDArray y = nd(b);
    if (!transposeA && transposeB) {
      // x·yᵀ is torch's linear without bias: one addmm-style call, no transposed view
      return own(JniUtils.linear(x, y, null), a.dtype());
    }
    PtNDArray xt = transposeA ? JniUtils.transpose(x, 0, 1) : x;
    PtNDArray yt = transposeB ? JniUtils.transpose(y, 0, 1) : y;
    PtNDArray r = JniUtils.matmul(xt, yt);
    if (xt != x) xt.close();
    if (yt != y) yt.close();
    return own(r, a.dtype());
  }

  @Override
  public Tensor affine(Tensor x, Tensor w, Tensor bias) {
    return own(JniUtils.linear(nd(x), nd(w), bias == null ? null : nd(bias)), x.dtype());
  }

  // ---- rows and classes ----------------------------------------------------------------------

  @Override
  public Tensor takeRows(Tensor a, Tensor indices) {
    if (a.rank() == 1) return own(JniUtils.take(nd(a), nd(indices), current()), a.dtype());
    // embedding(indices, weight) is index_select on rows: one call
    return own(JniUtils.embedding(nd(indices), nd(a), false), a.dtype());
  }

  @Override
  public Tensor pickColumns(Tensor a, Tensor labels) {
    long n = labels.dim(0);
    PtNDArray col = JniUtils.reshape(nd(labels), new long[] {n, 1});
    PtNDArray picked = JniUtils.gather(nd(a), col, 1);
    PtNDArray flat = JniUtils.reshape(picked, new long[] {n});
    col.close();
    picked.close();
    return own(flat, a.dtype(), new long[] {n});
  }

  @Override
  public Tensor oneHot(Tensor labels, int classes, DType dtype) {
    return own(JniUtils.oneHot(nd(labels), classes, djl(dtype)), dtype, new long[] {labels.dim(0), classes});
  }

  @Override
  public Tensor logSoftmax(Tensor logits) {
    return own(JniUtils.logSoftmax(nd(logits), 1, djl(logits.dtype())), logits.dtype(), ((PtTensor) logits).knownShape());
  }

  @Override
  public SoftmaxCrossEntropy softmaxCrossEntropy(Tensor logits, Tensor labels) {
    long n = labels.dim(0);
    PtNDArray logp = JniUtils.logSoftmax(nd(logits), 1, djl(logits.dtype()));
    PtNDArray col = JniUtils.reshape(nd(labels), new long[] {n, 1});
    PtNDArray picked = JniUtils.gather(logp, col, 1);
    PtNDArray total = JniUtils.sum(picked);
    PtNDArray loss = JniUtils.mul(total, constant(logits.dtype(), -1.0 / n));
    col.close();
    picked.close();
    total.close();
    return new SoftmaxCrossEntropy(own(loss, logits.dtype(), new long[0]), own(logp, logits.dtype()));
  }

  @Override
  public Tensor softmaxCrossEntropyBackward(Tensor logProbabilities, Tensor labels, Tensor upstream) {
    long n = logProbabilities.dim(0);
    DType t = logProbabilities.dtype();
    PtNDArray p = JniUtils.exp(nd(logProbabilities));
    PtNDArray hot = JniUtils.oneHot(nd(labels), (int) logProbabilities.dim(1), djl(t));
    JniUtils.subi(p, hot);
    PtNDArray factor = JniUtils.mul(nd(upstream), constant(t, 1.0 / n));
    JniUtils.muli(p, factor);
    hot.close();
    factor.close();
    return own(p, t);
  }

  // ---- in place ------------------------------------------------------------------------------

  @Override
  public void addInPlace(Tensor target, Tensor x, double alpha) {
    if (alpha == 1.0) {
      JniUtils.addi(nd(target), nd(x));
    } else {
      PtNDArray scaled = JniUtils.mul(nd(x), constant(x.dtype(), alpha));
      JniUtils.addi(nd(target), scaled);
      scaled.close();
    }
  }

  @Override
  public void scaleInPlace(Tensor target, double s) {
    JniUtils.muli(nd(target), constant(target.dtype(), s));
  }

  @Override
  public void copyInto(Tensor target, Tensor source) {
    // target := target·0 + source keeps target's storage (parameters are updated in place)
    JniUtils.muli(nd(target), constant(target.dtype(), 0.0));
    JniUtils.addi(nd(target), nd(source));
  }

  // ---- reading back --------------------------------------------------------------------------

  @Override
  public float[] toFloats(Tensor a) {
    if (a.dtype() != DType.FLOAT32) {
      try (PtNDArray c = JniUtils.to(nd(a), DataType.FLOAT32, djlDevice)) {
        return c.toFloatArray();
      }
    }
    return nd(a).toFloatArray();
  }

  @Override
  public double[] toDoubles(Tensor a) {
    if (a.dtype() != DType.FLOAT64) {
      try (PtNDArray c = JniUtils.to(nd(a), DataType.FLOAT64, djlDevice)) {
        return c.toDoubleArray();
      }
    }
    return nd(a).toDoubleArray();
  }

  @Override
  public long[] toLongs(Tensor a) {
    if (a.dtype() != DType.INT64) {
      try (PtNDArray c = JniUtils.to(nd(a), DataType.INT64, djlDevice)) {
        return c.toLongArray();
      }
    }
    return nd(a).toLongArray();
  }

  @Override
  public double item(Tensor a) {
    if (a.size() != 1) {
      throw new IllegalArgumentException("item() needs a one-element tensor, got shape " + Tensor.shapeString(a.shape()));
    }
    return switch (a.dtype()) {
      case FLOAT32 -> nd(a).toFloatArray()[0];
      case FLOAT64 -> nd(a).toDoubleArray()[0];
      case INT64 -> nd(a).toLongArray()[0];
    };
  }

  @Override
  public void close() {
    synchronized (scalars) {
      scalars.clear();
    }
    root.close();
  }
}
