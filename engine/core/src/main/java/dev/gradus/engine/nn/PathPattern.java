package dev.gradus.engine.nn;

import java.util.List;

/**
 * A glob over dot-separated parameter paths ({@code layers.0.weight}), for parameter groups.
 *
 * <p>The pattern is split at dots into segments, and each segment is one of:
 * <ul>
 *   <li>{@code *}: exactly one path segment, whatever it is;
 *   <li>{@code **}: any number of whole segments, zero included;
 *   <li>anything else: a literal segment, compared exactly (case-sensitive).
 * </ul>
 * The whole path must match. Examples: {@code **.bias} matches {@code bias} and
 * {@code layers.2.bias}; {@code layers.0.*} matches {@code layers.0.weight} but not
 * {@code layers.0} or {@code layers.0.a.b}; {@code layers.*.weight} matches every layer's
 * weight; {@code layers.**.weight} also matches {@code layers.weight}; {@code **} matches
 * every path.
 *
 * <p>Malformed patterns are rejected at construction: an empty pattern, an empty segment
 * (leading, trailing or doubled dot), and a segment that mixes {@code *} with other characters
 * ({@code lay*}, {@code ***}) — wildcards stand for whole segments only — or contains
 * whitespace.
 */
public record PathPattern(String pattern) {
  public PathPattern {
    if (pattern == null) throw new IllegalArgumentException("path pattern must not be null");
    String problem = problem(pattern);
    if (problem != null) {
      throw new IllegalArgumentException("malformed path pattern '" + pattern + "': " + problem
          + " (segments are separated by '.', and each is a literal name, '*' for one segment or '**' for any number)");
    }
  }

  /** The pattern {@code glob}; throws {@link IllegalArgumentException} when it is malformed. */
  public static PathPattern of(String glob) {
    return new PathPattern(glob);
  }

  /** Whether {@code glob} is a well-formed pattern. */
  public static boolean isValid(String glob) {
    return glob != null && problem(glob) == null;
  }

  private static String problem(String pattern) {
    if (pattern.isEmpty()) return "it is empty";
    String[] segments = pattern.split("\\.", -1);
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      if (s.isEmpty()) {
        return "segment " + (i + 1) + " is empty (" + (i == 0 ? "leading dot" : i == segments.length - 1 ? "trailing dot" : "two dots in a row") + ")";
      }
      if (s.contains("*") && !s.equals("*") && !s.equals("**")) {
        return "segment '" + s + "' mixes '*' with other characters; wildcards must be whole segments";
      }
      for (int k = 0; k < s.length(); k++) {
        if (Character.isWhitespace(s.charAt(k))) return "segment '" + s + "' contains whitespace";
      }
    }
    return null;
  }

  /** The pattern's segments, in order. */
  public List<String> segments() {
    return List.of(pattern.split("\\."));
  }

  /** Whether {@code path} as a whole matches this pattern. */
  public boolean matches(String path) {
    if (path == null || path.isEmpty()) return false;
    String[] p = pattern.split("\\.");
    String[] s = path.split("\\.", -1);
    // m[i][j]: pattern segments i.. match path segments j..
    boolean[][] m = new boolean[p.length + 1][s.length + 1];
    m[p.length][s.length] = true;
    for (int i = p.length - 1; i >= 0; i--) {
      for (int j = s.length; j >= 0; j--) {
        boolean r;
        if (p[i].equals("**")) {
          // zero segments, or one more segment and stay on '**'
          r = m[i + 1][j] || (j < s.length && m[i][j + 1]);
        } else if (j == s.length) {
          r = false;
        } else if (p[i].equals("*")) {
          r = !s[j].isEmpty() && m[i + 1][j + 1];
        } else {
          r = p[i].equals(s[j]) && m[i + 1][j + 1];
        }
        m[i][j] = r;
      }
    }
    return m[0][0];
  }

  @Override
  public String toString() {
    return pattern;
  }
}
