// Replication: Bengio, Louradour, Collobert & Weston (2009), "Curriculum learning", the toy
// experiment with a convex criterion: "introducing gradually more difficult examples speeds up
// online training". A perceptron learns a linear concept of d relevant inputs; every example also
// carries irrelevant noise inputs, and an example is harder the more of them are switched on.
// Presenting the examples with few irrelevant inputs first gave a lower error than a random
// presentation order for the same number of examples seen (the paper's figure plots the error
// against the number of examples, averaged over many runs; qualitative comparison only here).
//
// Setup (fixed before any run): per repetition r (seed r, r = 1..R, R = 200):
//   teacher w* ~ N(0, I_d), d = 10 relevant inputs x_rel ~ N(0, I_d), label y = 1[w*.x_rel > 0];
//   m = 40 irrelevant input slots; each example draws k uniformly from {0..m} and puts N(0,1)
//   noise in k randomly chosen slots, 0 in the others (so D = 50 inputs, metadata "irrelevant" = k).
//   n = 200 training examples, 2,000 test examples from the same distribution (k uniform).
//   Model: one linear layer 50 -> 2 with softmax cross-entropy (logistic regression), Glorot init,
//   zero bias; plain SGD lr 0.05, batch 1 (online), float64, reference backend, 1 thread.
//   Both arms use Paced(Difficulties.metadata("irrelevant"), Pacings.linear(0.2, 4), order) for
//   5 epochs: the shares are 0.2, 0.4, 0.6, 0.8, 1.0 of the training set, 3n = 600 updates in all.
//     curriculum : order EASY_FIRST (fewest irrelevant inputs first)
//     baseline   : order RANDOM (a random ranking with the same pacing: same data, same number of
//                  updates, same growing subset; only the order by difficulty differs)
//   Informational third arm (no claim): no curriculum, all n examples shuffled, 3 epochs (600 updates).
//   Within a repetition both arms share data, teacher and initial parameters (paired).
//
// CRITERION (fixed before looking at any numbers): with e_r the test error after the last epoch,
// d_r = e_r(random order) - e_r(curriculum), mean and SE = std/sqrt(R) over the R repetitions:
// the claim holds iff  mean(d) > 2 SE.
// Before the registered run, a timing probe with R = 10 was run (1.4 s); its numbers were seen
// (mean d = 0.0051, SE 0.0028). Nothing above was changed after it; R stays 200.
//
// As a sweep: ./gradus sweep experiments/scripts/replications/bengio-2009-perceptron.experiment.kts --jobs 1 --threads 1
// The repetitions are r = 1..200 with seed r as before. A process per repetition would cost more
// than the repetitions, so the sweep's seed b = 1..5 is a block of 40 of them (r = 40(b-1)+1 ..
// 40b), and one trial runs all three arms on each repetition of its block (the arms are paired:
// they share data, teacher and initial parameters). It measures the block means of each arm's test
// error after each epoch, of the paired d_r, and the sum of d_r^2. The blocks are equal, so the
// claim computes exactly the criterion above over the 200 repetitions: mean(d) = the mean of the
// block means, SE = sqrt((sum of d_r^2 - 200 mean(d)^2) / 199 / 200). The std the summary shows
// for d is that of the block means (40 repetitions each), not the SE.

import dev.gradus.curricula.Difficulties
import dev.gradus.curricula.Paced
import dev.gradus.curricula.Pacings
import dev.gradus.engine.curriculum.Curriculum
import dev.gradus.engine.data.Dataset
import dev.gradus.engine.nn.Model
import dev.gradus.engine.optim.Optimizers
import dev.gradus.engine.random.RandomStream
import dev.gradus.engine.random.RandomStreams
import dev.gradus.engine.tensor.DType
import dev.gradus.engine.tensor.reference.ReferenceBackend
import dev.gradus.engine.train.Trainer
import dev.gradus.engine.train.TrainingConfig
import kotlin.math.sqrt

val D_REL = 10
val M_IRR = 40
val D = D_REL + M_IRR
val N_TRAIN = 200
val N_TEST = 2_000
val LR = 0.05
val EPOCHS = 5
val R = 200
val BLOCKS = 5
val PER_BLOCK = R / BLOCKS
val KEY = "irrelevant"

val backend = ReferenceBackend()
val model = Model.builder(D).dense(2).build()

fun sample(n: Int, w: DoubleArray, rng: RandomStream, name: String): Dataset {
    val x = FloatArray(n * D)
    val y = IntArray(n)
    val k = DoubleArray(n)
    for (i in 0 until n) {
        var dot = 0.0
        for (j in 0 until D_REL) { val v = rng.nextGaussian(); x[i * D + j] = v.toFloat(); dot += w[j] * v }
        y[i] = if (dot > 0) 1 else 0
        val kk = rng.nextInt(M_IRR + 1)
        k[i] = kk.toDouble()
        val slots = rng.permutation(M_IRR)
        for (s in 0 until kk) x[i * D + D_REL + slots[s]] = rng.nextGaussian().toFloat()
    }
    return Dataset(name, x, n, intArrayOf(D), y, 2, listOf("negative", "positive"), mapOf(KEY to k))
}

/** Test error after each epoch. */
fun run(seed: Long, train: Dataset, test: Dataset, curriculum: Curriculum?, epochs: Int): List<Double> {
    val config = TrainingConfig("train", epochs, 1, true, 1000, DType.FLOAT64, true)
    val trainer = Trainer(backend, model, Optimizers.sgd(LR), config, RandomStreams(seed))
    if (curriculum != null) trainer.withCurriculum(curriculum)
    trainer.initialize().use { params ->
        return trainer.fit(params, train, test).epochs().map { 1.0 - it.testAccuracy() }
    }
}

val arms = listOf("curriculum", "random-order", "no-curriculum")

/** The three arms on repetitions 40(b-1)+1 .. 40b: block means of the error curves, of d and the sum of d^2. */
fun block(b: Long): Map<String, Double> {
    val curves = arms.associateWith { mutableListOf<List<Double>>() }
    for (r in (b - 1) * PER_BLOCK + 1..b * PER_BLOCK) {
        val rng = RandomStream("b09-perceptron-data", r)
        val w = DoubleArray(D_REL) { rng.nextGaussian() }
        val train = sample(N_TRAIN, w, rng, "perceptron/train")
        val test = sample(N_TEST, w, rng, "perceptron/test")
        curves.getValue("curriculum") += run(r, train, test, Paced(Difficulties.metadata(KEY), Pacings.linear(0.2, 4), Paced.Order.EASY_FIRST), EPOCHS)
        curves.getValue("random-order") += run(r, train, test, Paced(Difficulties.metadata(KEY), Pacings.linear(0.2, 4), Paced.Order.RANDOM), EPOCHS)
        curves.getValue("no-curriculum") += run(r, train, test, null, 3)
    }
    val m = linkedMapOf<String, Double>()
    for (a in arms) {
        val c = curves.getValue(a)
        for (e in c[0].indices) m["$a.error.epoch${e + 1}"] = c.map { it[e] }.average()
    }
    val final = arms.associateWith { a -> curves.getValue(a).map { it.last() } }
    val d = final.getValue("random-order").zip(final.getValue("curriculum")).map { (x, c) -> x - c }
    m["d"] = d.average()
    m["d.sumsq"] = d.sumOf { it * it }
    m["curriculum.lower"] = d.count { it > 0 }.toDouble()
    m["equal"] = d.count { it == 0.0 }.toDouble()
    m["no-curriculum.minus.curriculum"] = final.getValue("no-curriculum").zip(final.getValue("curriculum")).map { (x, c) -> x - c }.average()
    return m
}

sweep("bengio-2009-perceptron") {
    seeds(1..BLOCKS)
    noBest()   // one configuration (the paired arms)
    trial("paired-arms") { b -> block(b) }
    claim("a logistic perceptron shown examples with fewer irrelevant inputs first (paced, easy first) reaches a lower test error than the same pacing in random order after the same 600 updates (mean paired d = err(random order) - err(curriculum) over 200 repetitions > 2 SE)") { s ->
        if (s.n("d", "paired-arms") != BLOCKS) throw MissingSweepDataException("the criterion is over all $R repetitions (all $BLOCKS blocks)")
        val md = s.mean("d", "paired-arms")
        val variance = (s.values("d.sumsq", "paired-arms").sum() - R * md * md) / (R - 1)
        s.note("mean d over $R repetitions", md) > 2 * s.note("SE", sqrt(variance / R))
    }
}
