package dev.gradus.engine.data;

import dev.gradus.engine.random.RandomStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Procedural images of one geometric shape each, after the Shapeset of Bengio et al. (2009,
 * "Curriculum learning") and Glorot &amp; Bengio (2010): the BASIC family (squares, circles,
 * equilateral triangles) is the "easy" curriculum stage, the GEOMETRIC family (rectangles,
 * ellipses, arbitrary triangles) the harder target. Generated rather than stored so that
 * curricula can vary size, rotation, contrast and inversion, and every variable is kept as
 * per-example metadata for difficulty scorers.
 *
 * <p>Output is a pure function of the config and the stream state. Each example consumes the
 * same draws in the same order whatever {@code rotate}, {@code greyLevels} and
 * {@code inversionProbability} are (only arbitrary triangles use a variable number), so
 * toggling one of them changes that aspect and leaves the rest of the sequence alone.
 */
public final class Shapeset {
  /** The two shape families; each has three classes, labelled 0..2 in the order listed. */
  public enum Family {
    /** Square, circle, equilateral triangle. */
    BASIC(List.of("square", "circle", "equilateral triangle")),
    /** Rectangle, ellipse, arbitrary triangle. */
    GEOMETRIC(List.of("rectangle", "ellipse", "triangle"));

    private final List<String> classNames;

    Family(List<String> classNames) {
      this.classNames = classNames;
    }

    public List<String> classNames() {
      return classNames;
    }
  }

  /** Metadata keys of every generated data set. */
  public static final String SHAPE = "shape";
  public static final String SIZE = "size";
  public static final String ROTATION = "rotation";
  public static final String FOREGROUND = "foreground";
  public static final String BACKGROUND = "background";
  public static final String INVERTED = "inverted";
  /** Shape centre, as a fraction of the image side. */
  public static final String CENTER_X = "x";
  public static final String CENTER_Y = "y";

  /** Least difference between foreground and background grey, so every shape stays visible. */
  public static final double MIN_CONTRAST = 0.3;
  /** Range of the short/long side ratio of rectangles and the minor/major axis ratio of ellipses. */
  static final double MIN_RATIO = 0.3, MAX_RATIO = 1.0;
  /** Arbitrary triangles with an area below this fraction of their box are redrawn as degenerate. */
  static final double MIN_TRIANGLE_AREA = 0.1;

  private static final int SUPERSAMPLE = 4;

  private Shapeset() {}

  /** Draws the training set, then the test set, from {@code rng}. */
  public static Split generate(ShapesetConfig cfg, RandomStream rng) {
    String prefix = "shapeset-" + cfg.family().name().toLowerCase();
    Dataset train = generate(cfg, cfg.trainSize(), rng, prefix + "/train");
    Dataset test = generate(cfg, cfg.testSize(), rng, prefix + "/test");
    return new Split(train, test);
  }

  /** Draws {@code n} examples under {@code cfg} (its train/test sizes are ignored). */
  public static Dataset generate(ShapesetConfig cfg, int n, RandomStream rng, String name) {
    if (n < 0) throw new IllegalArgumentException("example count must be >= 0, got " + n);
    int side = cfg.imageSize();
    int pixels = side * side;
    if ((long) pixels * n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(n + " images of " + side + "x" + side + " exceed one array's capacity");
    }
    float[] features = new float[pixels * n];
    int[] labels = new int[n];
    double[] shape = new double[n], size = new double[n], rotation = new double[n];
    double[] fg = new double[n], bg = new double[n], inverted = new double[n];
    double[] cxs = new double[n], cys = new double[n];
    Renderer r = new Renderer(side);
    for (int i = 0; i < n; i++) {
      int cls = rng.nextInt(3);
      double s = rng.uniform(cfg.minSize(), cfg.maxSize());
      double angle = rng.uniform(0, 2 * Math.PI);
      if (!cfg.rotate()) angle = 0;
      double radius = s * side / 2;
      double cx = radius + rng.nextDouble() * (side - 2 * radius);
      double cy = radius + rng.nextDouble() * (side - 2 * radius);
      r.place(cx, cy, angle);
      if (cfg.family() == Family.BASIC) {
        basicShape(r, cls, radius);
      } else {
        geometricShape(r, cls, radius, rng);
      }
      // the shape is always the brighter one; flipping polarity is inversion's job, so that
      // "inversion probability" alone controls that (hard) factor of variation
      double back = rng.nextDouble() * (1 - MIN_CONTRAST);
      double fore = back + MIN_CONTRAST + rng.nextDouble() * (1 - MIN_CONTRAST - back);
      if (!cfg.greyLevels()) {
        back = 0;
        fore = 1;
      }
      boolean invert = rng.nextBoolean(cfg.inversionProbability());
      if (invert) {
        back = 1 - back;
        fore = 1 - fore;
      }
      r.render(features, i * pixels, (float) fore, (float) back);
      labels[i] = cls;
      shape[i] = cls;
      size[i] = s;
      rotation[i] = angle;
      fg[i] = fore;
      bg[i] = back;
      inverted[i] = invert ? 1 : 0;
      cxs[i] = cx / side;
      cys[i] = cy / side;
    }
    Map<String, double[]> meta = new LinkedHashMap<>();
    meta.put(SHAPE, shape);
    meta.put(SIZE, size);
    meta.put(ROTATION, rotation);
    meta.put(FOREGROUND, fg);
    meta.put(BACKGROUND, bg);
    meta.put(INVERTED, inverted);
    meta.put(CENTER_X, cxs);
    meta.put(CENTER_Y, cys);
    return new Dataset(name, features, n, new int[] {side, side}, labels, 3, cfg.family().classNames(), meta);
  }

  private static void basicShape(Renderer r, int cls, double radius) {
    switch (cls) {
      case 0 -> {
        double h = radius / Math.sqrt(2);
        r.polygon(new double[] {-h, h, h, -h}, new double[] {-h, -h, h, h});
      }
      case 1 -> r.ellipse(radius, radius);
      default -> {
        double[] xs = new double[3], ys = new double[3];
        for (int k = 0; k < 3; k++) {
          double a = -Math.PI / 2 + k * 2 * Math.PI / 3;
          xs[k] = radius * Math.cos(a);
          ys[k] = radius * Math.sin(a);
        }
        r.polygon(xs, ys);
      }
    }
  }

  private static void geometricShape(Renderer r, int cls, double radius, RandomStream rng) {
    switch (cls) {
      case 0 -> {
        double ratio = rng.uniform(MIN_RATIO, MAX_RATIO);
        // the diagonal spans the bounding circle
        double halfLong = radius / Math.sqrt(1 + ratio * ratio);
        double halfShort = ratio * halfLong;
        r.polygon(new double[] {-halfLong, halfLong, halfLong, -halfLong},
            new double[] {-halfShort, -halfShort, halfShort, halfShort});
      }
      case 1 -> r.ellipse(radius, rng.uniform(MIN_RATIO, MAX_RATIO) * radius);
      default -> {
        // vertices in the square inscribed in the bounding circle, so any rotation still fits
        double half = radius / Math.sqrt(2);
        double minArea = MIN_TRIANGLE_AREA * (2 * half) * (2 * half);
        double[] xs = new double[3], ys = new double[3];
        do {
          for (int k = 0; k < 3; k++) {
            xs[k] = rng.uniform(-half, half);
            ys[k] = rng.uniform(-half, half);
          }
        } while (Math.abs(signedArea(xs, ys)) < minArea);
        r.polygon(xs, ys);
      }
    }
  }

  static double signedArea(double[] xs, double[] ys) {
    double a = 0;
    for (int i = 0, n = xs.length; i < n; i++) {
      int j = (i + 1) % n;
      a += xs[i] * ys[j] - xs[j] * ys[i];
    }
    return a / 2;
  }

  /**
   * Rasterizes one convex polygon or ellipse with 4x4 supersampling. One concrete class with a
   * flag instead of a shape hierarchy keeps the inner loop monomorphic, hence fast.
   */
  private static final class Renderer {
    private final int side;
    private double cx, cy, cos, sin;
    private boolean isEllipse;
    private double invA2, invB2;
    // polygon edges as half-planes ea*x + eb*y + ec >= 0, in image coordinates
    private final double[] ea = new double[4], eb = new double[4], ec = new double[4];
    private int edges;
    private double minX, maxX, minY, maxY;

    Renderer(int side) {
      this.side = side;
    }

    void place(double cx, double cy, double angle) {
      this.cx = cx;
      this.cy = cy;
      this.cos = Math.cos(angle);
      this.sin = Math.sin(angle);
    }

    /** Semi-axes {@code a} along the local x axis, {@code b} along local y. */
    void ellipse(double a, double b) {
      isEllipse = true;
      invA2 = 1 / (a * a);
      invB2 = 1 / (b * b);
      double r = Math.max(a, b);
      minX = cx - r;
      maxX = cx + r;
      minY = cy - r;
      maxY = cy + r;
    }

    /** A convex polygon of up to four vertices in the shape's local frame. */
    void polygon(double[] lx, double[] ly) {
      isEllipse = false;
      int n = lx.length;
      double[] x = new double[n], y = new double[n];
      minX = minY = Double.POSITIVE_INFINITY;
      maxX = maxY = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < n; i++) {
        x[i] = cx + cos * lx[i] - sin * ly[i];
        y[i] = cy + sin * lx[i] + cos * ly[i];
        minX = Math.min(minX, x[i]);
        maxX = Math.max(maxX, x[i]);
        minY = Math.min(minY, y[i]);
        maxY = Math.max(maxY, y[i]);
      }
      double orientation = Math.signum(signedArea(x, y));
      for (int i = 0; i < n; i++) {
        int j = (i + 1) % n;
        double dx = x[j] - x[i], dy = y[j] - y[i];
        ea[i] = -dy * orientation;
        eb[i] = dx * orientation;
        ec[i] = (dy * x[i] - dx * y[i]) * orientation;
      }
      edges = n;
    }

    void render(float[] out, int offset, float fore, float back) {
      Arrays.fill(out, offset, offset + side * side, back);
      int x0 = Math.max(0, (int) Math.floor(minX)), x1 = Math.min(side - 1, (int) Math.floor(maxX));
      int y0 = Math.max(0, (int) Math.floor(minY)), y1 = Math.min(side - 1, (int) Math.floor(maxY));
      float delta = fore - back;
      int samples = SUPERSAMPLE * SUPERSAMPLE;
      for (int py = y0; py <= y1; py++) {
        for (int px = x0; px <= x1; px++) {
          int hits = 0;
          for (int sy = 0; sy < SUPERSAMPLE; sy++) {
            double y = py + (sy + 0.5) / SUPERSAMPLE;
            for (int sx = 0; sx < SUPERSAMPLE; sx++) {
              double x = px + (sx + 0.5) / SUPERSAMPLE;
              if (inside(x, y)) hits++;
            }
          }
          if (hits == samples) {
            out[offset + py * side + px] = fore;
          } else if (hits > 0) {
            out[offset + py * side + px] = back + delta * ((float) hits / samples);
          }
        }
      }
    }

    private boolean inside(double x, double y) {
      if (isEllipse) {
        double dx = x - cx, dy = y - cy;
        double u = cos * dx + sin * dy;
        double v = -sin * dx + cos * dy;
        return u * u * invA2 + v * v * invB2 <= 1;
      }
      for (int i = 0; i < edges; i++) {
        if (ea[i] * x + eb[i] * y + ec[i] < 0) return false;
      }
      return true;
    }
  }
}
