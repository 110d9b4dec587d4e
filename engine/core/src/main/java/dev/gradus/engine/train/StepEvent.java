package dev.gradus.engine.train;

/** One optimizer step: {@code step} counts from 1 across epochs, {@code batch} from 1 within the epoch. */
public record StepEvent(String stage, int epoch, int batch, int batchesPerEpoch, long step, double loss, int batchSize) {}
