// The quick start: classify generated shapes (square, circle, triangle) with a small MLP.
// Run it with:   ./gradus run experiments/scripts/quickstart.experiment.kts
// No download: the images are drawn on the fly from the experiment's seed.

experiment("quickstart") {
    seed = 7
    data = shapeset(family = Basic, train = 10_000, test = 2_000, rotate = false)
    model {
        dense(128, relu)
        dense(128, relu)
        output(classes = 3)
    }
    optimizer = sgd(lr = 0.1)
    train {
        epochs = 15
        batchSize = 64
    }
}
