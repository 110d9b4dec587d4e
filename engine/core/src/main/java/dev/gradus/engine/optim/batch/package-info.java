/**
 * Batch and second-order methods (Goodfellow et al. 8.5–8.7): methods that need the objective
 * itself, not just a gradient. {@link dev.gradus.engine.optim.batch.BatchMethod} is their
 * interface (state as plain data, {@link dev.gradus.engine.optim.batch.BatchState});
 * {@link dev.gradus.engine.optim.batch.Objective} the function they minimize (a model's loss on a
 * fixed batch, or a test function). Line searches: {@link dev.gradus.engine.optim.batch.LineSearch}.
 * Methods: {@link dev.gradus.engine.optim.batch.NonlinearConjugateGradient},
 * {@link dev.gradus.engine.optim.batch.Bfgs}, {@link dev.gradus.engine.optim.batch.Lbfgs} (torch.optim.LBFGS's
 * algorithm), {@link dev.gradus.engine.optim.batch.Newton} (plain, Levenberg–Marquardt,
 * saddle-free), {@link dev.gradus.engine.optim.batch.HessianFree},
 * {@link dev.gradus.engine.optim.batch.NaturalGradient} and
 * {@link dev.gradus.engine.optim.batch.BlockCoordinateDescent}. A training pipeline runs them
 * through {@link dev.gradus.engine.train.Phase#ofBatchMethod}.
 */
package dev.gradus.engine.optim.batch;
