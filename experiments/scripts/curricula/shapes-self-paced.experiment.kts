@file:Import("shared-curricula.kts")

// Self-paced learning (a preset from the shared library) against the shared code-defined
// "my-ramp", with annealed label smoothing as a continuation in the first.
experiment("shapes-self-paced") {
    seed = 11
    data = shapeset(family = Basic, train = 2_000, test = 500, imageSize = 16)
    model { dense(64, tanh); dense(64, tanh); output(classes = 3) }
    curriculum = Presets.selfPacedRamp(epochs = 3)
    continuation { labelSmoothing(linearDecay(0.1, 3, 0.0)) }
    optimizer = sgd(lr = 0.05)
    train { epochs = 4; batchSize = 32 }
}

experiment("shapes-my-ramp") {
    seed = 11
    data = shapeset(family = Basic, train = 2_000, test = 500, imageSize = 16)
    model { dense(64, tanh); dense(64, tanh); output(classes = 3) }
    curriculum { sampling = custom("my-ramp", "epochs" to 5.0) }
    optimizer = sgd(lr = 0.05)
    train { epochs = 4; batchSize = 32 }
}
