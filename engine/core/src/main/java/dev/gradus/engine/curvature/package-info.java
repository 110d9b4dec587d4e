/**
 * Curvature tools for second-order analysis and batch methods (chapter 8 of the book: section
 * 8.2.1's ill-conditioning diagnostic, section 8.6's Newton-type methods): exact
 * Hessian-vector products, a finite-difference fallback, Gauss-Newton and Fisher products,
 * a fixed-batch objective, power iteration and Lanczos, and a training monitor.
 *
 * <h2>Design: double backward</h2>
 * Exact Hessian-vector products use <em>double backward</em>, {@code H v = ∇(∇J · v)}: every
 * operation in {@link dev.gradus.engine.autodiff.Ops} records, beside its tensor VJP, a
 * {@link dev.gradus.engine.autodiff.Vjp.Differentiable differentiable VJP} written with
 * {@code Ops} on the same tape; {@code Tape.backward(loss, true)} runs those, so the gradient is
 * itself a recorded value ({@code Var.gradVar()}) and an ordinary backward of {@code ∇J · v}
 * gives {@code H v}. Chosen over forward-over-reverse (Pearlmutter's R-operator) because:
 * <ul>
 *   <li>one rule per op instead of two: forward-over-reverse needs a JVP for the forward pass
 *       <em>and</em> a tangent of every VJP (the backward pass must be differentiated in forward
 *       mode too), each a new formula to get right; the differentiable VJPs are the existing VJP
 *       formulas transcribed onto {@code Ops}, whose first derivatives are already checked;</li>
 *   <li>it also gives {@code J v} for Gauss-Newton products with no forward mode at all (the
 *       double-backward trick, {@link dev.gradus.engine.curvature.BatchObjective#jacobianVector});</li>
 *   <li>the ordinary training path is untouched: {@code Tape.backward(loss)} still runs the tensor
 *       VJPs exactly as before (bit-identical training), the differentiable VJPs are only
 *       closures stored beside them and run only with {@code createGraph}.</li>
 * </ul>
 * The cost is memory (the gradient graph is recorded) and about 4–5 gradient evaluations per
 * product. An op recorded without a differentiable VJP (a third-party layer calling the old
 * {@code Tape.record}) fails on double backward with an error naming the op and its layer;
 * {@link dev.gradus.engine.curvature.FiniteDifferenceHvp} is the fallback then.
 *
 * <h2>Conventions</h2>
 * Vectors in parameter space are {@code Map<String, Tensor>} keyed by the paths of the trainable
 * parameters ({@link dev.gradus.engine.curvature.ParameterVectors}). Objectives are evaluated in
 * evaluation mode (dropout off, batch normalization's running statistics) so they are
 * deterministic functions of the parameters. Results live in the backend's current memory scope.
 */
package dev.gradus.engine.curvature;
