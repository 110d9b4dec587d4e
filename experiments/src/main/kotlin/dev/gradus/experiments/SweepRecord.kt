package dev.gradus.experiments

import kotlinx.serialization.Serializable

/*
 * The record of a sweep, as `gradus sweep` writes it and `gradus report <sweep>` reads it:
 * `<runs root>/sweeps/<sweep name>/sweep.json` (this file's [SweepRecord]) beside `summary.csv`;
 * the report adds `report.html` and `plots/` there. Each trial that trains a declared experiment
 * is an ordinary run of the store, named by [SweepTrialRecord.run].
 */

/** One quantity over a configuration's finished trials (std: sample standard deviation, n − 1; 0 for one trial). */
@Serializable
data class SweepStatistic(val n: Int, val mean: Double, val std: Double, val median: Double, val min: Double, val max: Double)

/** One trial of a sweep: a configuration (grid/random values or an alternative) under one seed. */
@Serializable
data class SweepTrialRecord(
    /** The trial's name; for a trial that trains an experiment, its run's experiment name. */
    val name: String,
    /** Everything but the seed: the trials of one configuration repeat it over seeds. */
    val configuration: String,
    val seed: Long?,
    /** Spec path (or random-search variable) → the value this trial used. */
    val settings: Map<String, String> = emptyMap(),
    /** `finished`, `failed` or `incomplete` (the run summary's status words). */
    val status: String,
    /** The run folder relative to the runs root (`experiment/run-id`); null for a trial that records no run. */
    val run: String? = null,
    /** Final metrics (`test.accuracy`, `test.loss`, `train.loss`, `validation.*`) and any measurement the trial reported. */
    val measurements: Map<String, Double> = emptyMap(),
    /** Why a failed trial failed (a code trial's exception, or the run summary's error). */
    val error: String? = null,
    /** How long the trial took (the run's wall time, or the code trial's). */
    val wallSeconds: Double? = null,
)

/** A configuration's statistics over its finished trials, per measured quantity. */
@Serializable
data class ConfigurationSummary(val configuration: String, val runs: Int, val statistics: Map<String, SweepStatistic>)

/** A claim the sweep declared, judged on the finished trials: [holds] is null when there were too few to judge. */
@Serializable
data class ClaimResult(val text: String, val holds: Boolean?, val detail: String)

@Serializable
data class SweepRecord(
    val name: String,
    /** The script file the sweep came from (as given on the command line), or null for a sweep built in code. */
    val script: String?,
    val updatedAt: String,
    val trials: List<SweepTrialRecord>,
    val configurations: List<ConfigurationSummary>,
    /** The best configuration by [bestBy] (mean over seeds), or null when nothing finished. */
    val best: String?,
    /** The quantity [best] is chosen by, with its direction: `max test.accuracy`, `min test.loss`, ... */
    val bestBy: String?,
    val claims: List<ClaimResult> = emptyList(),
) {
    companion object {
        /** The folder of sweeps under the runs root. */
        const val DIR = "sweeps"
        const val FILE = "sweep.json"
        const val CSV = "summary.csv"
    }
}
