/** Gradus engine core: backend SPI, autodiff, layers, optimizers, data and trainer. */
package dev.gradus.engine;
