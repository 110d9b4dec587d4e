@file:Import("shared-curricula.kts")

// Two curricula from the shared library on a small Shapeset task: the preset (data) and the
// code-defined "my-ramp" (registered by the shared script), with the same model and seed.
for ((name, cur) in listOf(
    "shapes-ramp-preset" to Presets.ramp(epochs = 3),
    "shapes-ramp-code" to CurriculumSpec(custom("my-ramp", "epochs" to 3.0)),
)) {
    experiment(name) {
        seed = 11
        data = shapeset(family = Basic, train = 2_000, test = 500, imageSize = 16)
        model { dense(64, tanh); dense(64, tanh); output(classes = 3) }
        curriculum = cur
        optimizer = sgd(lr = 0.05)
        train { epochs = 4; batchSize = 32 }
    }
}
