// The reference MLP on Fashion-MNIST (Debian package dataset-fashion-mnist):
// 784-256-256-10, ReLU, Glorot-uniform weights, zero biases, SGD 0.1, batch 128, 3 epochs.
// PyTorch with the same settings reaches 85.1 ± 0.7 % over seeds 1-5
// (reference/torch/fashion_mlp_sgd.txt).
//   ./gradus run experiments/scripts/fashion-mlp.experiment.kts

experiment("fashion-mlp") {
    seed = 1
    data = fashionMnist()
    model {
        dense(256, relu)
        dense(256, relu)
        output(classes = 10)
    }
    optimizer = sgd(lr = 0.1)
    train {
        epochs = 3
        batchSize = 128
    }
}
