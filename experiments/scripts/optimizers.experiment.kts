// The first-order optimizers of chapter 8 on the reference MLP (784-256-256-10, ReLU,
// Glorot-uniform weights, zero biases) and Fashion-MNIST (Debian package dataset-fashion-mnist),
// 3 epochs, batch 128, 3 seeds each, with the usual published defaults. The result table at the
// end gives test accuracy and wall time per run; runs of one optimizer share a group.
//   ./gradus run experiments/scripts/optimizers.experiment.kts

val optimizers = listOf(
    "sgd" to sgd(lr = 0.1),
    "momentum" to sgd(lr = 0.01, momentum = 0.9),
    "nesterov" to nesterov(lr = 0.01, momentum = 0.9),
    "adagrad" to adagrad(lr = 0.01),
    "rmsprop" to rmsprop(lr = 1e-3),
    "adam" to adam(lr = 1e-3),
    "amsgrad" to adam(lr = 1e-3, amsgrad = true),
    "adamw" to adamw(lr = 1e-3, weightDecay = 1e-2),
    "adadelta" to adadelta(lr = 1.0),
)

for ((name, opt) in optimizers) {
    for (s in 1L..3L) {
        experiment("fashion-$name-seed$s") {
            seed = s
            data = fashionMnist()
            model {
                dense(256, relu)
                dense(256, relu)
                output(classes = 10)
            }
            optimizer = opt
            train {
                epochs = 3
                batchSize = 128
            }
        }
    }
}
