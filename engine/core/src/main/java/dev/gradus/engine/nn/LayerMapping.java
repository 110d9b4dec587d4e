package dev.gradus.engine.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * Which entries of one model's parameters go where in another's: a list of prefix rewrites, each
 * taking every path under {@code from.} to the same suffix under {@code to.}. Transfers between
 * runs (Yosinski et al. 2014: copy the first k layers), growing a network deeper (Simonyan &amp;
 * Zisserman 2015: the first k and last m layers of a shallow net into a deeper one) and greedy
 * stages (the layers trained so far into the next stage's model) are all such rewrites.
 */
public record LayerMapping(List<Rule> rules) {
  /**
   * Paths under {@code from.} map to the same suffix under {@code to.} ({@code "layers.3"} →
   * {@code "layers.5"}); two empty prefixes map every path to itself.
   */
  public record Rule(String from, String to) {
    public Rule {
      if (from == null || to == null || from.isEmpty() != to.isEmpty()) {
        throw new IllegalArgumentException("a mapping rule needs two prefixes (or two empty ones for every path)");
      }
    }

    /** Where {@code path} goes under this rule, or null when the rule does not take it. */
    public String apply(String path) {
      if (from.isEmpty()) return path;
      return path.startsWith(from + ".") ? to + path.substring(from.length()) : null;
    }
  }

  public LayerMapping {
    rules = List.copyOf(rules);
  }

  /** Nothing is carried. */
  public static LayerMapping none() {
    return new LayerMapping(List.of());
  }

  /** Layers {@code from .. from+count-1} become layers {@code to .. to+count-1}. */
  public static LayerMapping layers(int from, int count, int to) {
    if (from < 0 || to < 0 || count < 0) throw new IllegalArgumentException("layer mapping needs indices >= 0, got " + from + ", " + count + ", " + to);
    List<Rule> rules = new ArrayList<>();
    for (int j = 0; j < count; j++) rules.add(new Rule(Model.layerPath(from + j), Model.layerPath(to + j)));
    return new LayerMapping(rules);
  }

  /** Every path to itself (the same architecture, or one that contains it). */
  public static LayerMapping identity() {
    return new LayerMapping(List.of(new Rule("", "")));
  }

  /**
   * The first {@code first} and last {@code last} layers of a {@code shallowDepth}-layer model
   * into the same places of a {@code deepDepth}-layer one, whose middle stays fresh.
   */
  public static LayerMapping growDeeper(int shallowDepth, int deepDepth, int first, int last) {
    if (first + last > shallowDepth) {
      throw new IllegalArgumentException("cannot copy the first " + first + " and last " + last + " of " + shallowDepth + " layers");
    }
    if (deepDepth < shallowDepth) throw new IllegalArgumentException("the deeper model has " + deepDepth + " layers, fewer than " + shallowDepth);
    return layers(0, first, 0).and(layers(shallowDepth - last, last, deepDepth - last));
  }

  public LayerMapping and(LayerMapping other) {
    List<Rule> all = new ArrayList<>(rules);
    all.addAll(other.rules);
    return new LayerMapping(all);
  }

  /** Where {@code path} goes, or null when no rule takes it. The first matching rule wins. */
  public String target(String path) {
    for (Rule r : rules) {
      String t = r.apply(path);
      if (t != null) return t;
    }
    return null;
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }
}
