package dev.gradus.engine.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Loader for Fashion-MNIST (Xiao, Rasul &amp; Vollgraf 2017): 28x28 grey clothing images in 10
 * classes, 60,000 for training and 10,000 for testing, read from the four gzipped IDX files
 * of the original distribution. Chosen over MNIST as the default real data set because it is
 * hard enough for optimization differences to show.
 *
 * <p>The files are looked up in an explicit folder, else in {@code $GRADUS_DATA}, else in
 * {@link #DEFAULT_DIR}, where the Debian package {@code dataset-fashion-mnist} installs them.
 */
public final class FashionMnist {
  public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
  /** Environment variable naming the data folder, or a parent of {@code fashion-mnist/}. */
  public static final String ENV = "GRADUS_DATA";
  public static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
  public static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
  public static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
  public static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";
  public static final int SIDE = 28;
  public static final List<String> CLASS_NAMES = List.of(
      "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  private FashionMnist() {}

  /** Loads from the folder {@link #resolveDir(Path) resolveDir(null)} picks. */
  public static Split load() {
    return load(null);
  }

  /** Loads from {@code dir}, or from the default lookup when {@code dir} is null. */
  public static Split load(Path dir) {
    Path d = resolveDir(dir);
    Dataset train = read(d, TRAIN_IMAGES, TRAIN_LABELS, "fashion-mnist/train");
    Dataset test = read(d, TEST_IMAGES, TEST_LABELS, "fashion-mnist/test");
    return new Split(train, test);
  }

  /** The data folder: {@code explicitOrNull}, else {@code $GRADUS_DATA}, else {@link #DEFAULT_DIR}. */
  public static Path resolveDir(Path explicitOrNull) {
    return resolveDir(explicitOrNull, System.getenv());
  }

  /**
   * As {@link #resolveDir(Path)} with the environment passed in, so tests need not set real
   * variables. {@code GRADUS_DATA} may name the Fashion-MNIST folder itself or a parent holding
   * {@code fashion-mnist/}: the folder itself wins when it holds the files.
   */
  static Path resolveDir(Path explicitOrNull, Map<String, String> env) {
    if (explicitOrNull != null) return explicitOrNull;
    String value = env.get(ENV);
    if (value == null || value.isBlank()) return DEFAULT_DIR;
    Path root = Path.of(value.trim());
    if (Files.isRegularFile(root.resolve(TRAIN_IMAGES))) return root;
    Path child = root.resolve("fashion-mnist");
    if (Files.isDirectory(child)) return child;
    return root;
  }

  private static Dataset read(Path dir, String imagesName, String labelsName, String name) {
    Path imagesFile = dir.resolve(imagesName);
    Path labelsFile = dir.resolve(labelsName);
    requireFile(imagesFile);
    requireFile(labelsFile);
    Idx.Images images = Idx.readImages(imagesFile);
    if (images.rows() != SIDE || images.cols() != SIDE) {
      throw new DataException(imagesFile + ": expected " + SIDE + "x" + SIDE + " images, found "
          + images.rows() + "x" + images.cols());
    }
    int[] labels = Idx.readLabels(labelsFile);
    if (labels.length != images.count()) {
      throw new DataException("Fashion-MNIST count mismatch: " + imagesFile + " holds " + images.count()
          + " images but " + labelsFile + " holds " + labels.length + " labels");
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= CLASS_NAMES.size()) {
        throw new DataException(labelsFile + ": label " + labels[i] + " of example " + i + " is outside 0..9");
      }
    }
    return new Dataset(name, images.pixels(), images.count(), new int[] {SIDE, SIDE}, labels,
        CLASS_NAMES.size(), CLASS_NAMES, Map.of());
  }

  private static void requireFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new DataException("Fashion-MNIST file not found: " + file + ". Install the Debian package "
          + "dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or set " + ENV
          + " to the folder holding the four files (or to its parent holding fashion-mnist/).");
    }
  }
}
