package dev.gradus.engine.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A labelled, in-memory data set: one flat row-major {@code float[]} of features, one class
 * label per example, and optional per-example metadata (e.g. a generated shape's size, which
 * curricula use as a difficulty score).
 *
 * <p>Why flat arrays: a mini-batch is then a gather of contiguous rows, with no per-example
 * objects, and Fashion-MNIST's 47 million pixels fit in one allocation. The constructor takes
 * ownership of the arrays it is given (no copy, for the same reason); the accessors return the
 * backing arrays, which callers must not mutate. Methods that derive a new data set copy.
 */
public final class Dataset {
  private final String name;
  private final float[] features;
  private final int size;
  private final int[] exampleShape;
  private final int featureCount;
  private final int[] labels;
  private final int numClasses;
  private final List<String> classNames;
  private final Map<String, double[]> metadata;

  /**
   * @param features row-major, {@code size * product(exampleShape)} values; owned afterwards
   * @param labels one label in {@code 0..numClasses-1} per example; owned afterwards
   * @param classNames one name per class
   * @param metadata per-example values, each array of length {@code size}; may be empty
   */
  public Dataset(
      String name,
      float[] features,
      int size,
      int[] exampleShape,
      int[] labels,
      int numClasses,
      List<String> classNames,
      Map<String, double[]> metadata) {
    require(name != null, "name must not be null");
    require(features != null, "features must not be null");
    require(exampleShape != null, "exampleShape must not be null");
    require(labels != null, "labels must not be null");
    require(classNames != null, "classNames must not be null");
    require(metadata != null, "metadata must not be null (use Map.of() for none)");
    String where = "data set '" + name + "': ";
    require(size >= 0, where + "size must be >= 0, got " + size);
    require(exampleShape.length > 0, where + "exampleShape must have at least one dimension");
    long count = 1;
    for (int d : exampleShape) {
      require(d > 0, where + "exampleShape dimensions must be > 0, got " + Arrays.toString(exampleShape));
      count *= d;
      require(count <= Integer.MAX_VALUE, where + "exampleShape " + Arrays.toString(exampleShape) + " is too large");
    }
    require(
        (long) features.length == count * size,
        where + "features has " + features.length + " values but size " + size + " x featureCount " + count
            + " (exampleShape " + Arrays.toString(exampleShape) + ") = " + count * size);
    require(labels.length == size, where + "labels has " + labels.length + " entries but size is " + size);
    require(numClasses > 0, where + "numClasses must be > 0, got " + numClasses);
    require(
        classNames.size() == numClasses,
        where + "classNames has " + classNames.size() + " names but numClasses is " + numClasses);
    for (int i = 0; i < size; i++) {
      int y = labels[i];
      require(
          y >= 0 && y < numClasses,
          where + "label " + y + " of example " + i + " is outside 0.." + (numClasses - 1));
    }
    Map<String, double[]> meta = new LinkedHashMap<>();
    for (Map.Entry<String, double[]> e : metadata.entrySet()) {
      require(e.getKey() != null, where + "metadata keys must not be null");
      require(e.getValue() != null, where + "metadata '" + e.getKey() + "' must not be null");
      require(
          e.getValue().length == size,
          where + "metadata '" + e.getKey() + "' has " + e.getValue().length + " values but size is " + size);
      meta.put(e.getKey(), e.getValue());
    }
    this.name = name;
    this.features = features;
    this.size = size;
    this.exampleShape = exampleShape.clone();
    this.featureCount = (int) count;
    this.labels = labels;
    this.numClasses = numClasses;
    this.classNames = List.copyOf(classNames);
    this.metadata = Collections.unmodifiableMap(meta);
  }

  public String name() {
    return name;
  }

  public int size() {
    return size;
  }

  /** Values per example: the product of {@link #exampleShape()}. */
  public int featureCount() {
    return featureCount;
  }

  public int[] exampleShape() {
    return exampleShape.clone();
  }

  /** The backing row-major array (not a copy, to avoid doubling memory): do not mutate. */
  public float[] features() {
    return features;
  }

  /** The backing label array (not a copy): do not mutate. */
  public int[] labels() {
    return labels;
  }

  public int numClasses() {
    return numClasses;
  }

  public List<String> classNames() {
    return classNames;
  }

  /** Metadata keys in insertion order. */
  public Set<String> metadataKeys() {
    return metadata.keySet();
  }

  /** The backing per-example values of {@code key} (not a copy): do not mutate. */
  public double[] metadata(String key) {
    double[] values = metadata.get(key);
    if (values == null) {
      throw new IllegalArgumentException(
          "data set '" + name + "' has no metadata '" + key + "'; available: " + metadata.keySet());
    }
    return values;
  }

  /** The features of {@code rows}, in that order, as a new row-major array (a mini-batch). */
  public float[] gatherFeatures(int[] rows) {
    checkRows(rows);
    float[] out = new float[rows.length * featureCount];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(features, rows[i] * featureCount, out, i * featureCount, featureCount);
    }
    return out;
  }

  public int[] gatherLabels(int[] rows) {
    checkRows(rows);
    int[] out = new int[rows.length];
    for (int i = 0; i < rows.length; i++) out[i] = labels[rows[i]];
    return out;
  }

  /** A new data set of {@code rows} (repeats allowed), metadata included, under the same name. */
  public Dataset subset(int[] rows) {
    float[] f = gatherFeatures(rows);
    int[] y = gatherLabels(rows);
    Map<String, double[]> meta = new LinkedHashMap<>();
    for (Map.Entry<String, double[]> e : metadata.entrySet()) {
      double[] src = e.getValue();
      double[] dst = new double[rows.length];
      for (int i = 0; i < rows.length; i++) dst[i] = src[rows[i]];
      meta.put(e.getKey(), dst);
    }
    return new Dataset(name, f, rows.length, exampleShape, y, numClasses, classNames, meta);
  }

  /**
   * The examples of {@code parts} one after the other, with metadata {@code source} = the part's
   * index (0, 1, ...): Bengio et al. 2009's easy then hard shapes as one training set a curriculum
   * can switch over. The parts must agree on example shape and classes; a metadata key is kept
   * when every part has it.
   */
  public static Dataset concat(String name, List<Dataset> parts) {
    if (parts.isEmpty()) throw new IllegalArgumentException("concat needs at least one data set");
    Dataset first = parts.get(0);
    int total = 0;
    for (Dataset d : parts) {
      if (!Arrays.equals(d.exampleShape, first.exampleShape) || d.numClasses != first.numClasses) {
        throw new IllegalArgumentException("cannot concatenate '" + d.name + "' " + d + " with '" + first.name + "' " + first
            + ": example shapes and numbers of classes must agree");
      }
      total = Math.addExact(total, d.size);
    }
    float[] f = new float[Math.multiplyExact(total, first.featureCount)];
    int[] y = new int[total];
    double[] source = new double[total];
    Map<String, double[]> meta = new LinkedHashMap<>();
    for (String key : first.metadata.keySet()) {
      if (parts.stream().allMatch(d -> d.metadata.containsKey(key))) meta.put(key, new double[total]);
    }
    int at = 0;
    for (int p = 0; p < parts.size(); p++) {
      Dataset d = parts.get(p);
      System.arraycopy(d.features, 0, f, at * first.featureCount, d.size * first.featureCount);
      System.arraycopy(d.labels, 0, y, at, d.size);
      Arrays.fill(source, at, at + d.size, p);
      for (Map.Entry<String, double[]> e : meta.entrySet()) System.arraycopy(d.metadata.get(e.getKey()), 0, e.getValue(), at, d.size);
      at += d.size;
    }
    meta.put(SOURCE, source);
    // label c may be named differently per part (basic shapes' "square", geometric shapes' "rectangle")
    List<String> names = new ArrayList<>();
    for (int c = 0; c < first.numClasses; c++) {
      int k = c;
      names.add(String.join("/", parts.stream().map(d -> d.classNames.get(k)).distinct().toList()));
    }
    return new Dataset(name, f, total, first.exampleShape, y, first.numClasses, names, meta);
  }

  /** Metadata key {@link #concat} sets: the index of the part an example came from. */
  public static final String SOURCE = "source";

  /** The first {@code n} examples: for quick runs and smoke tests. */
  public Dataset head(int n) {
    if (n < 0 || n > size) {
      throw new IllegalArgumentException("head(" + n + ") of data set '" + name + "' needs 0 <= n <= size " + size);
    }
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) rows[i] = i;
    return subset(rows);
  }

  /** Examples per class, indexed by label. */
  public int[] classCounts() {
    int[] counts = new int[numClasses];
    for (int y : labels) counts[y]++;
    return counts;
  }

  @Override
  public String toString() {
    return "Dataset(" + name + ", size=" + size + ", exampleShape=" + Arrays.toString(exampleShape)
        + ", classes=" + numClasses + ", metadata=" + new ArrayList<>(metadata.keySet()) + ")";
  }

  private void checkRows(int[] rows) {
    if (rows == null) throw new IllegalArgumentException("rows must not be null");
    for (int i = 0; i < rows.length; i++) {
      int r = rows[i];
      if (r < 0 || r >= size) {
        throw new IndexOutOfBoundsException(
            "row " + r + " (at position " + i + ") is outside 0.." + (size - 1) + " of data set '" + name + "'");
      }
    }
  }

  private static void require(boolean condition, String message) {
    if (!condition) throw new IllegalArgumentException(message);
  }
}
