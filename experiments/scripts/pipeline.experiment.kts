// An optimizer pipeline: Adam for 2 epochs, then SGD with momentum until the validation loss
// stops improving (10% of the training data held out for that decision; the test split is only
// reported). The run record shows both phases: `metrics.jsonl` tags every epoch with its phase,
// `summary.json` says why each phase ended.
//   ./gradus run experiments/scripts/pipeline.experiment.kts

experiment("adam-then-sgd") {
    seed = 1
    data = shapeset(family = Basic, train = 10_000, test = 2_000, rotate = false)
    model {
        dense(128, relu)
        dense(128, relu)
        output(classes = 3)
    }
    optimizer = pipeline {
        phase("adam", epochs = 3) { adam(lr = 1e-3) }
        phase("sgd-momentum", until = plateau("validation.loss", patience = 2, maxEpochs = 10)) {
            sgd(lr = 0.01, momentum = 0.9)
        }
    }
    train {
        batchSize = 64
        validationFraction = 0.1
    }
}
