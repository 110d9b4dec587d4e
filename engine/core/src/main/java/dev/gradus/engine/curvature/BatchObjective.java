package dev.gradus.engine.curvature;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.Tensor;
import dev.gradus.engine.train.Loss;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The loss {@code J(θ) = loss(model(features; θ), labels)} of a model on one fixed batch, as a
 * function of the trainable parameters, with its first derivatives and exact curvature-vector
 * products. This is the deterministic objective batch and second-order methods work on.
 *
 * <p>Every method takes the parameter set to evaluate at (usually the model's own; any set with
 * the same paths works, e.g. a shifted copy) and reads it only. Vectors are
 * {@code Map<String, Tensor>} keyed by the paths of the trainable parameters (see
 * {@link ParameterVectors}); frozen parameters and buffers are held fixed and have no entry.
 *
 * <p>The model runs in evaluation mode ({@link Tape#evaluationGradients}): dropout off, batch
 * normalization with its running statistics, so the function is deterministic. Auxiliary heads
 * are not part of the objective; the loss is {@link Loss#apply(Var, Tensor)} (no example weights,
 * no smoothing, temperature 1). Results are new tensors in the backend's current memory scope.
 */
public final class BatchObjective {
  private final Backend backend;
  private final Model model;
  private final Loss loss;
  private final Tensor features;
  private final Tensor labels;
  private final int rows;

  /**
   * @param features {@code [rows, model.inputSize()]}, in the type the objective is computed in
   * @param labels INT64 class labels {@code [rows]}
   */
  public BatchObjective(Backend backend, Model model, Loss loss, Tensor features, Tensor labels) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.model = Objects.requireNonNull(model, "model");
    this.loss = Objects.requireNonNull(loss, "loss");
    this.features = Objects.requireNonNull(features, "features");
    this.labels = Objects.requireNonNull(labels, "labels");
    if (features.rank() != 2 || features.dim(1) != model.inputSize()) {
      throw new IllegalArgumentException("features must be [rows, " + model.inputSize() + "], got " + Tensor.shapeString(features.shape()));
    }
    if (labels.rank() != 1 || labels.dim(0) != features.dim(0)) {
      throw new IllegalArgumentException("labels must be [" + features.dim(0) + "], got " + Tensor.shapeString(labels.shape()));
    }
    if (labels.dtype() != DType.INT64) throw new IllegalArgumentException("labels must be INT64, got " + labels.dtype());
    if (features.dim(0) == 0) throw new IllegalArgumentException("the batch is empty");
    this.rows = Math.toIntExact(features.dim(0));
  }

  /** From row-major {@code features[labels.length × inputSize]} as {@code dtype} and integer labels. */
  public static BatchObjective of(Backend backend, Model model, Loss loss, DType dtype, double[] features, int[] labels) {
    if (features.length != (long) labels.length * model.inputSize()) {
      throw new IllegalArgumentException("features hold " + features.length + " values, expected " + labels.length + " x " + model.inputSize());
    }
    return new BatchObjective(backend, model, loss,
        backend.detach(backend.fromDoubles(dtype, features, labels.length, model.inputSize())), backend.detach(backend.fromInts(labels)));
  }

  public Backend backend() {
    return backend;
  }

  public Model model() {
    return model;
  }

  public Loss loss() {
    return loss;
  }

  /** The batch's features {@code [rows, inputs]}. */
  public Tensor features() {
    return features;
  }

  /** The batch's INT64 labels {@code [rows]}. */
  public Tensor labels() {
    return labels;
  }

  /** Number of examples in the batch. */
  public int rows() {
    return rows;
  }

  /** {@code J(θ)}. */
  public double value(ParameterSet params) {
    Tape tape = Tape.inference(backend);
    return loss.apply(model.forward(tape, params, tape.constant(features, "input")), labels).value().item();
  }

  /** {@code ∇J(θ)}: zeros for a trainable parameter the loss does not reach. */
  public Map<String, Tensor> gradient(ParameterSet params) {
    Tape tape = Tape.evaluationGradients(backend);
    Map<String, Var> bound = model.bind(tape, params);
    Var l = loss.apply(model.forward(bound, tape.constant(features, "input")), labels);
    tape.backward(l);
    return leafGradients(params, bound);
  }

  /**
   * The exact Hessian-vector product {@code H v = ∇_θ (∇_θ J · v)} by double backward: the
   * gradient is computed as recorded values ({@code backward(loss, createGraph = true)}), dotted
   * with the constant {@code v}, and that scalar differentiated again. About 4–5 times the cost
   * of a gradient.
   *
   * @throws UnsupportedOperationException if the model uses an operation without a
   *     differentiable VJP (the message names it)
   */
  public Map<String, Tensor> hessianVector(ParameterSet params, Map<String, Tensor> v) {
    ParameterVectors.requireMatches(params, v, "the vector");
    Tape tape = Tape.evaluationGradients(backend);
    Map<String, Var> bound = model.bind(tape, params);
    Var l = loss.apply(model.forward(bound, tape.constant(features, "input")), labels);
    tape.backward(l, true);
    Var gv = dotWithConstant(tape, params, bound, v);
    if (gv == null || !gv.requiresGrad()) return ParameterVectors.zeros(params);
    tape.backward(gv);
    return leafGradients(params, bound);
  }

  /**
   * {@code J v}: the directional derivative of the model's outputs {@code z[rows, K]} along
   * {@code v}, by the double-backward trick. With a dummy cotangent {@code U} (a leaf), the
   * recorded gradient of {@code Σ z ⊙ U} is {@code Jᵀ U}, linear in U; differentiating
   * {@code (Jᵀ U) · v} with respect to U gives {@code J v}.
   */
  public Tensor jacobianVector(ParameterSet params, Map<String, Tensor> v) {
    ParameterVectors.requireMatches(params, v, "the vector");
    Tape tape = Tape.evaluationGradients(backend);
    Map<String, Var> bound = model.bind(tape, params);
    Var z = model.forward(bound, tape.constant(features, "input"));
    Var u = tape.leaf(backend.zeros(z.value().dtype(), z.shape()), "cotangent");
    tape.backward(Ops.sum(Ops.mul(z, u)), true);
    Var jtuv = dotWithConstant(tape, params, bound, v);
    if (jtuv == null || !jtuv.requiresGrad()) return backend.zeros(z.value().dtype(), z.shape());
    tape.backward(jtuv);
    return u.grad() != null ? u.grad() : backend.zeros(z.value().dtype(), z.shape());
  }

  /** {@code Jᵀ u} for a cotangent {@code u[rows, K]} on the model's outputs: one ordinary backward pass. */
  public Map<String, Tensor> vectorJacobian(ParameterSet params, Tensor u) {
    Tape tape = Tape.evaluationGradients(backend);
    Map<String, Var> bound = model.bind(tape, params);
    Var z = model.forward(bound, tape.constant(features, "input"));
    if (!java.util.Arrays.equals(z.shape(), u.shape())) {
      throw new IllegalArgumentException("the cotangent must be shaped like the outputs " + Tensor.shapeString(z.shape()) + ", got "
          + Tensor.shapeString(u.shape()));
    }
    Var s = Ops.sum(Ops.mul(z, tape.constant(u, "cotangent")));
    tape.backward(s);
    return leafGradients(params, bound);
  }

  /** The model's outputs {@code z[rows, K]} on the batch. */
  public Tensor outputs(ParameterSet params) {
    Tape tape = Tape.inference(backend);
    return model.forward(tape, params, tape.constant(features, "input")).value();
  }

  /**
   * {@code H_L w}: the Hessian of the loss with respect to the outputs {@code z} (evaluated at
   * {@code z}) times {@code w[rows, K]}, in closed form. Softmax cross-entropy: per row
   * {@code (diag(p) − p pᵀ) w_i / rows}; sigmoid cross-entropy: {@code σ(1 − σ) ⊙ w / rows};
   * mean squared error: {@code 2 w / (rows·K)}. All three are positive semi-definite.
   */
  public Tensor lossHessianVector(Tensor z, Tensor w) {
    long n = z.dim(0);
    long k = z.dim(1);
    switch (loss) {
      case SOFTMAX_CROSS_ENTROPY: {
        Tensor p = backend.exp(backend.logSoftmax(z));
        Tensor pw = backend.mul(p, w);
        Tensor r = backend.sub(pw, backend.mul(p, backend.sum(pw, 1, true)));
        return backend.scale(r, 1.0 / n);
      }
      case SIGMOID_CROSS_ENTROPY: {
        Tensor s = backend.sigmoid(z);
        return backend.scale(backend.mul(backend.sub(s, backend.square(s)), w), 1.0 / n);
      }
      case MEAN_SQUARED_ERROR:
        return backend.scale(w, 2.0 / (n * k));
      default:
        throw new UnsupportedOperationException("no closed-form output Hessian for loss " + loss.id());
    }
  }

  /**
   * The generalized Gauss-Newton product {@code G v = Jᵀ H_L J v}: the Hessian with the terms
   * that involve the model's second derivatives dropped. Positive semi-definite for these
   * losses; equal to the Hessian when the model is linear in its parameters.
   */
  public Map<String, Tensor> gaussNewtonVector(ParameterSet params, Map<String, Tensor> v) {
    Tensor z = outputs(params);
    return vectorJacobian(params, lossHessianVector(z, jacobianVector(params, v)));
  }

  /**
   * The (true) Fisher information product {@code F v}, the expectation over labels drawn from
   * the model's own predictive distribution of {@code g gᵀ v}. For softmax and sigmoid
   * cross-entropy the outputs are the natural parameters of the predictive distribution
   * (canonical links), and then the Fisher equals the Gauss-Newton matrix exactly (Martens
   * 2014), so this is {@link #gaussNewtonVector}. For mean squared error, read as a Gaussian
   * likelihood, the Fisher is {@code JᵀJ} divided by the noise variance: the Gauss-Newton
   * matrix again, with the variance implied by the loss's scaling; this method returns that.
   * See {@link #empiricalFisherVector} for the observed-label version.
   */
  public Map<String, Tensor> fisherVector(ParameterSet params, Map<String, Tensor> v) {
    return gaussNewtonVector(params, v);
  }

  /**
   * The empirical Fisher product {@code (1/n) Σ_i g_i (g_iᵀ v)} with {@code g_i} the gradient of
   * example i's loss at its observed label (so that {@code J = (1/n) Σ_i ℓ_i}). Not a curvature
   * matrix in general (it is not the Hessian even at a minimum), but cheap to form; costs one
   * backward pass per example.
   */
  public Map<String, Tensor> empiricalFisherVector(ParameterSet params, Map<String, Tensor> v) {
    ParameterVectors.requireMatches(params, v, "the vector");
    Map<String, Tensor> sum = ParameterVectors.zeros(params);
    for (Map<String, Tensor> g : perExampleGradients(params)) {
      sum = ParameterVectors.axpy(ParameterVectors.dot(g, v) / rows, g, sum);
    }
    return sum;
  }

  /** The gradient of each example's own loss {@code ℓ_i} (the loss on a batch of that one row), in row order. */
  public List<Map<String, Tensor>> perExampleGradients(ParameterSet params) {
    List<Map<String, Tensor>> out = new ArrayList<>();
    long[] all = labels.toLongs();
    for (int i = 0; i < rows; i++) {
      Tensor x = backend.takeRows(features, backend.fromInts(new int[] {i}));
      Tensor y = backend.fromLongs(new long[] {all[i]}, 1);
      Tape tape = Tape.evaluationGradients(backend);
      Map<String, Var> bound = model.bind(tape, params);
      Var l = loss.apply(model.forward(bound, tape.constant(x, "input")), y);
      tape.backward(l);
      out.add(leafGradients(params, bound));
    }
    return out;
  }

  /** {@code Σ_p sum(∇_p ⊙ v_p)} over the recorded gradients, or null when none was reached. */
  private static Var dotWithConstant(Tape tape, ParameterSet params, Map<String, Var> bound, Map<String, Tensor> v) {
    Var total = null;
    for (Parameter p : params.trainable()) {
      Var g = bound.get(p.path()).gradVar();
      if (g == null) continue;
      Var term = Ops.sum(Ops.mul(g, tape.constant(v.get(p.path()), "direction")));
      total = total == null ? term : Ops.add(total, term);
    }
    return total;
  }

  private Map<String, Tensor> leafGradients(ParameterSet params, Map<String, Var> bound) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Parameter p : params.trainable()) {
      Tensor g = bound.get(p.path()).grad();
      out.put(p.path(), g != null ? g : backend.zeros(p.value().dtype(), p.value().shape()));
    }
    return out;
  }
}
