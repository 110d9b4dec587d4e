package dev.gradus.engine.data;

/**
 * What {@link Shapeset#generate} draws. Sizes are the diameter of the shape's bounding circle
 * as a fraction of the image side, so that every shape fits at every rotation and sizes mean
 * the same across classes.
 *
 * @param family which three shape classes
 * @param imageSize side of the square images, in pixels
 * @param trainSize examples in the training set
 * @param testSize examples in the test set
 * @param minSize smallest bounding-circle diameter, fraction of the side, in (0, 1]
 * @param maxSize largest bounding-circle diameter, fraction of the side, in [minSize, 1]
 * @param rotate whether shapes get a uniformly random orientation
 * @param inversionProbability chance that an image's grey levels are flipped ({@code 1 - v})
 * @param greyLevels random background and foreground greys when true, else a white shape on black
 */
public record ShapesetConfig(
    Shapeset.Family family,
    int imageSize,
    int trainSize,
    int testSize,
    double minSize,
    double maxSize,
    boolean rotate,
    double inversionProbability,
    boolean greyLevels) {

  public ShapesetConfig {
    if (family == null) throw new IllegalArgumentException("family must not be null");
    if (imageSize < 4 || imageSize > 4096) {
      throw new IllegalArgumentException("imageSize must be in 4..4096 pixels, got " + imageSize);
    }
    if (trainSize < 0) throw new IllegalArgumentException("trainSize must be >= 0, got " + trainSize);
    if (testSize < 0) throw new IllegalArgumentException("testSize must be >= 0, got " + testSize);
    if (!(minSize > 0 && minSize <= 1)) {
      throw new IllegalArgumentException("minSize must be in (0, 1] (fraction of the image side), got " + minSize);
    }
    if (!(maxSize > 0 && maxSize <= 1)) {
      throw new IllegalArgumentException("maxSize must be in (0, 1] (fraction of the image side), got " + maxSize);
    }
    if (minSize > maxSize) {
      throw new IllegalArgumentException("minSize " + minSize + " must be <= maxSize " + maxSize);
    }
    if (!(inversionProbability >= 0 && inversionProbability <= 1)) {
      throw new IllegalArgumentException("inversionProbability must be in [0, 1], got " + inversionProbability);
    }
    long pixels = (long) imageSize * imageSize * Math.max(trainSize, testSize);
    if (pixels > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("imageSize " + imageSize + " x " + Math.max(trainSize, testSize)
          + " examples exceeds one array's capacity");
    }
  }

  /** The BASIC family at 32x32, sizes 0.4-0.8, rotated, random greys, no inversion. */
  public static ShapesetConfig basic(int trainSize, int testSize) {
    return new ShapesetConfig(Shapeset.Family.BASIC, 32, trainSize, testSize, 0.4, 0.8, true, 0.0, true);
  }

  /** As {@link #basic} with the GEOMETRIC family. */
  public static ShapesetConfig geometric(int trainSize, int testSize) {
    return basic(trainSize, testSize).withFamily(Shapeset.Family.GEOMETRIC);
  }

  public ShapesetConfig withFamily(Shapeset.Family f) {
    return new ShapesetConfig(f, imageSize, trainSize, testSize, minSize, maxSize, rotate, inversionProbability, greyLevels);
  }

  public ShapesetConfig withImageSize(int side) {
    return new ShapesetConfig(family, side, trainSize, testSize, minSize, maxSize, rotate, inversionProbability, greyLevels);
  }

  public ShapesetConfig withSizes(double min, double max) {
    return new ShapesetConfig(family, imageSize, trainSize, testSize, min, max, rotate, inversionProbability, greyLevels);
  }

  public ShapesetConfig withRotate(boolean r) {
    return new ShapesetConfig(family, imageSize, trainSize, testSize, minSize, maxSize, r, inversionProbability, greyLevels);
  }

  public ShapesetConfig withInversionProbability(double p) {
    return new ShapesetConfig(family, imageSize, trainSize, testSize, minSize, maxSize, rotate, p, greyLevels);
  }

  public ShapesetConfig withGreyLevels(boolean g) {
    return new ShapesetConfig(family, imageSize, trainSize, testSize, minSize, maxSize, rotate, inversionProbability, g);
  }
}
