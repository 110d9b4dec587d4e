// A sweep declared in the script: two alternative experiments (tanh and relu hidden layers) ×
// two learning rates × three seeds, each trial its own process, then mean ± std per
// configuration and a claim judged on them.
// Run it with:   ./gradus sweep experiments/scripts/sweep-activations.experiment.kts --jobs 2

for ((name, act) in listOf("tanh" to tanh, "relu" to relu)) {
    experiment(name) {
        seed = 1
        data = shapeset(family = Basic, train = 2_000, test = 500, imageSize = 16)
        model { dense(64, act); output(classes = 3) }
        optimizer = sgd(lr = 0.1)
        train { epochs = 3; batchSize = 32 }
    }
}

sweep("activations") {
    seeds(1..3)
    experiments("tanh", "relu")
    grid("optimizer.lr", 0.05, 0.3)
    bestBy = maximize("test.accuracy")
    claim("at lr 0.05, relu reaches a higher test accuracy than tanh by more than their pooled std") { s ->
        s.mean("test.accuracy", "relu-lr0.05") - s.mean("test.accuracy", "tanh-lr0.05") >
            s.pooledStd("test.accuracy", "relu-lr0.05", "tanh-lr0.05")
    }
}
