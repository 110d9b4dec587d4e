package dev.gradus.engine.train;

/**
 * Training met NaN or ±Inf. Says where: the stage, epoch and step, which quantity (loss,
 * activation, gradient) and the layer or parameter where it first appeared.
 */
public final class NonFiniteValueException extends RuntimeException {
  private final String stage;
  private final int epoch;
  private final long step;
  private final String quantity;
  private final String location;

  public NonFiniteValueException(String stage, int epoch, long step, String quantity, String location, String detail) {
    super("non-finite " + quantity + " in stage '" + stage + "', epoch " + epoch + ", step " + step
        + ", at " + location + (detail.isEmpty() ? "" : ": " + detail));
    this.stage = stage;
    this.epoch = epoch;
    this.step = step;
    this.quantity = quantity;
    this.location = location;
  }

  public String stage() {
    return stage;
  }

  public int epoch() {
    return epoch;
  }

  public long step() {
    return step;
  }

  /** "loss", "activation" or "gradient". */
  public String quantity() {
    return quantity;
  }

  /** The layer (e.g. "layers.2 (relu)") or parameter path where the value appeared. */
  public String location() {
    return location;
  }
}
