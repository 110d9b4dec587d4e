package dev.gradus.engine.nn;

import dev.gradus.engine.init.Initializer;

/** A parameter a layer needs: its name within the layer, shape, initializer and fans. */
public record ParameterDecl(String name, long[] shape, Initializer initializer, int fanIn, int fanOut) {}
