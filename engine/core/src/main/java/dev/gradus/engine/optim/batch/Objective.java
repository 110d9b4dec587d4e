package dev.gradus.engine.optim.batch;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.curvature.BatchObjective;
import dev.gradus.engine.curvature.ParameterVectors;
import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.optim.TestProblems;
import dev.gradus.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A deterministic objective {@code J(θ)} of the trainable parameters, as batch and second-order
 * methods need it: values at trial points, gradients and curvature-vector products. Vectors are
 * {@code Map<String, Tensor>} keyed by the paths of {@code params.trainable()}, as in
 * {@link ParameterVectors}. Every method reads {@code params} only.
 *
 * <p>{@link #of(BatchObjective)} adapts a model's loss on a fixed batch;
 * {@link #of(TestProblems.Objective)} a test function of one parameter {@code x}; tests may
 * implement this interface in closed form.
 */
public interface Objective {
  /** {@code J(θ)}. */
  double value(ParameterSet params);

  /** {@code ∇J(θ)}, keyed by trainable path. */
  Map<String, Tensor> gradient(ParameterSet params);

  /** Both, from one forward and backward pass where the implementation can. */
  default ValueAndGradient valueAndGradient(ParameterSet params) {
    return new ValueAndGradient(value(params), gradient(params));
  }

  /** The exact Hessian-vector product {@code H v}. */
  default Map<String, Tensor> hessianVector(ParameterSet params, Map<String, Tensor> v) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " gives no Hessian-vector products");
  }

  /** {@code G v}, the generalized Gauss-Newton product; defaults to {@link #hessianVector}. */
  default Map<String, Tensor> gaussNewtonVector(ParameterSet params, Map<String, Tensor> v) {
    return hessianVector(params, v);
  }

  /** {@code F v}, the (model) Fisher product; defaults to {@link #gaussNewtonVector}. */
  default Map<String, Tensor> fisherVector(ParameterSet params, Map<String, Tensor> v) {
    return gaussNewtonVector(params, v);
  }

  /** The empirical Fisher product {@code (1/n) Σ g_i g_iᵀ v}. */
  default Map<String, Tensor> empiricalFisherVector(ParameterSet params, Map<String, Tensor> v) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " gives no empirical Fisher products");
  }

  /** A value and a gradient at one point. */
  record ValueAndGradient(double value, Map<String, Tensor> gradient) {}

  /** A model's loss on a fixed batch; value and gradient come from one pass. */
  static Objective of(BatchObjective objective) {
    return new Objective() {
      @Override
      public double value(ParameterSet params) {
        return objective.value(params);
      }

      @Override
      public Map<String, Tensor> gradient(ParameterSet params) {
        return objective.gradient(params);
      }

      @Override
      public ValueAndGradient valueAndGradient(ParameterSet params) {
        // as BatchObjective.gradient, keeping the loss value
        Tape tape = Tape.evaluationGradients(objective.backend());
        Map<String, Var> bound = objective.model().bind(tape, params);
        Var l = objective.loss().apply(objective.model().forward(bound, tape.constant(objective.features(), "input")), objective.labels());
        tape.backward(l);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Parameter p : params.trainable()) {
          Tensor g = bound.get(p.path()).grad();
          out.put(p.path(), g != null ? g : p.value().backend().zeros(p.value().dtype(), p.value().shape()));
        }
        return new ValueAndGradient(l.value().item(), out);
      }

      @Override
      public Map<String, Tensor> hessianVector(ParameterSet params, Map<String, Tensor> v) {
        return objective.hessianVector(params, v);
      }

      @Override
      public Map<String, Tensor> gaussNewtonVector(ParameterSet params, Map<String, Tensor> v) {
        return objective.gaussNewtonVector(params, v);
      }

      @Override
      public Map<String, Tensor> fisherVector(ParameterSet params, Map<String, Tensor> v) {
        return objective.fisherVector(params, v);
      }

      @Override
      public Map<String, Tensor> empiricalFisherVector(ParameterSet params, Map<String, Tensor> v) {
        return objective.empiricalFisherVector(params, v);
      }
    };
  }

  /** A test function of the single parameter {@link TestProblems#PATH}; Hessian products by double backward. */
  static Objective of(TestProblems.Objective f) {
    return new Objective() {
      @Override
      public double value(ParameterSet params) {
        return f.evaluate(params);
      }

      @Override
      public Map<String, Tensor> gradient(ParameterSet params) {
        return f.evaluateWithGradient(params).gradients();
      }

      @Override
      public ValueAndGradient valueAndGradient(ParameterSet params) {
        TestProblems.Evaluation e = f.evaluateWithGradient(params);
        return new ValueAndGradient(e.loss(), e.gradients());
      }

      @Override
      public Map<String, Tensor> hessianVector(ParameterSet params, Map<String, Tensor> v) {
        Tensor x = params.get(TestProblems.PATH).value();
        Tape tape = Tape.evaluationGradients(x.backend());
        Var leaf = tape.leaf(x, TestProblems.PATH);
        tape.backward(f.value(leaf), true);
        Map<String, Tensor> out = new LinkedHashMap<>();
        Var g = leaf.gradVar();
        if (g == null || !g.requiresGrad()) {
          out.put(TestProblems.PATH, x.backend().zeros(x.dtype(), x.shape()));
          return out;
        }
        tape.backward(Ops.sum(Ops.mul(g, tape.constant(v.get(TestProblems.PATH), "direction"))));
        out.put(TestProblems.PATH, leaf.grad() != null ? leaf.grad() : x.backend().zeros(x.dtype(), x.shape()));
        return out;
      }
    };
  }
}
