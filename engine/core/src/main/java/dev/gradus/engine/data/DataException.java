package dev.gradus.engine.data;

/**
 * A data set could not be read (missing or corrupt file, wrong format). Unchecked because a
 * run cannot recover from it; the message names the file and what to do about it.
 */
public class DataException extends RuntimeException {
  public DataException(String message) {
    super(message);
  }

  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
