/**
 * In-memory data sets: the {@link dev.gradus.engine.data.Dataset} container, the Fashion-MNIST
 * reader and the procedural Shapeset generator used by curriculum experiments.
 */
package dev.gradus.engine.data;
