package dev.gradus.dsl

import dev.gradus.engine.nn.PathPattern
import dev.gradus.engine.optim.Partition
import dev.gradus.engine.train.EpochMetrics

/**
 * The range of values a schedule takes over all steps ≥ 0: from [lo] to [hi], each end included
 * when the schedule reaches it ([loIn], [hiIn]) rather than only approaching it (a decay to 0).
 */
internal data class ValueRange(val lo: Double, val hi: Double, val loIn: Boolean = true, val hiIn: Boolean = true) {
    override fun toString(): String = (if (loIn) "[" else "(") + lo + ", " + hi + (if (hiIn) "]" else ")")

    /** The smallest range holding both. */
    fun hull(o: ValueRange): ValueRange {
        val (lo, loIn) = when {
            lo < o.lo -> lo to loIn
            o.lo < lo -> o.lo to o.loIn
            else -> lo to (loIn || o.loIn)
        }
        val (hi, hiIn) = when {
            hi > o.hi -> hi to hiIn
            o.hi > hi -> o.hi to o.hiIn
            else -> hi to (hiIn || o.hiIn)
        }
        return ValueRange(lo, hi, loIn, hiIn)
    }

    companion object {
        fun of(v: Double) = ValueRange(v, v)

        /** `initial · q^k` for k = 0, 1, ... with 0 < q < 1: from initial towards 0, never reaching it. */
        fun decayingToZero(initial: Double) = when {
            initial > 0 -> ValueRange(0.0, initial, loIn = false)
            initial < 0 -> ValueRange(initial, 0.0, hiIn = false)
            else -> of(0.0)
        }
    }
}

/** What a hyperparameter must satisfy: as a constant, and at every step as a schedule. */
internal enum class Need(val constantText: String, val scheduleText: String) {
    /** Learning rates: a constant must be > 0; a schedule may touch 0 (warm-up start, cosine end). */
    LEARNING_RATE("> 0 and finite", ">= 0"),
    POSITIVE("> 0 and finite", "> 0"),
    NON_NEGATIVE(">= 0 and finite", ">= 0"),
    UNIT_OPEN("in [0, 1)", "in [0, 1)"),
    UNIT_CLOSED("in [0, 1]", "in [0, 1]"),
    BATCH_SIZE(">= 1", ">= 1"),
    /** A share of the data (curriculum pacing). */
    FRACTION("in (0, 1]", "in (0, 1]"),
    /** At least 1 and finite (a temperature, a curriculum level). */
    AT_LEAST_ONE(">= 1 and finite", ">= 1"),
    ;

    fun accepts(v: Double): Boolean = when (this) {
        LEARNING_RATE, POSITIVE -> v > 0 && v.isFinite()
        NON_NEGATIVE -> v >= 0 && v.isFinite()
        UNIT_OPEN -> v >= 0 && v < 1
        UNIT_CLOSED -> v >= 0 && v <= 1
        BATCH_SIZE, AT_LEAST_ONE -> v >= 1 && v.isFinite()
        FRACTION -> v > 0 && v <= 1
    }

    fun accepts(r: ValueRange): Boolean = when (this) {
        LEARNING_RATE, NON_NEGATIVE -> r.lo >= 0
        POSITIVE -> r.lo > 0 || (r.lo == 0.0 && !r.loIn)
        UNIT_OPEN -> r.lo >= 0 && (r.hi < 1 || (r.hi == 1.0 && !r.hiIn))
        UNIT_CLOSED -> r.lo >= 0 && r.hi <= 1
        BATCH_SIZE -> r.lo >= 1
        AT_LEAST_ONE -> r.lo >= 1 && r.hi.isFinite()
        FRACTION -> (r.lo > 0 || (r.lo == 0.0 && !r.loIn)) && r.hi <= 1
    }
}

/**
 * Checks the optimizer part of a spec ([ExperimentSpec.optimizer], [TrainSpec.batchSizeSchedule],
 * [TrainSpec.evaluateAveraged]) and reports each problem with its path through [problem].
 *
 * @param hasValidation whether the spec holds out validation data (decisions on validation metrics need it)
 * @param parameters the model's parameter paths, when the model is well-formed (to check that groups claim parameters)
 */
internal class OptimizerChecks(
    private val train: TrainSpec,
    private val hasValidation: Boolean,
    private val parameters: List<String>?,
    private val problem: (String, String) -> Unit,
) {
    /** Where a schedule is read: by optimizer step (with or without a fixed batch size) or by epoch for a batch size. */
    private data class Where(val batchSize: Boolean = false, val fixedBatch: Boolean = true, val perEpoch: Boolean = false)

    /** The optimizer itself ([ExperimentSpec.optimizer]). */
    fun check(optimizer: OptimizerSpec) {
        val fixedBatch = train.batchSizeSchedule.let { it == null || it is ConstantSchedule }
        if (optimizer is PipelineSpec) {
            checkPipeline(optimizer, "optimizer")
        } else {
            checkSlot(optimizer, "optimizer", Where(fixedBatch = fixedBatch), parameters)
        }
    }

    /** The training settings that concern the [optimizer]: the batch-size schedule and evaluating averages. */
    fun checkTrain(optimizer: OptimizerSpec) {
        train.batchSizeSchedule?.let { checkBatchSize(it, "train.batchSizeSchedule") }
        if (optimizer is BatchMethodSpec && train.batchSizeSchedule != null) {
            problem(
                "train.batchSizeSchedule",
                "${kind(optimizer)} as the whole optimizer trains on the full batch; to step on minibatches, make it a pipeline " +
                    "phase with its own batch size: pipeline { phase(\"${kind(optimizer)}\", epochs = 3, batchSize = fixed(256.0)) { ... } }",
            )
        }
        if (train.evaluateAveraged && !hasAverager(optimizer)) {
            problem(
                "train.evaluateAveraged",
                "is on but the optimizer keeps no averaged parameters: chain polyak(...) or ema(...) last, e.g. " +
                    "chain(sgd(0.1), polyak(1000)) (averagers inside parameter groups are not used for evaluation)",
            )
        }
    }

    // ---- pipelines ---------------------------------------------------------------------------

    private fun checkPipeline(p: PipelineSpec, path: String) {
        if (p.phases.isEmpty()) problem("$path.phases", "a pipeline needs at least one phase")
        val names = mutableMapOf<String, Int>()
        p.phases.forEachIndexed { i, phase ->
            val pp = "$path.phases[$i]"
            when {
                phase.name.isBlank() -> problem("$pp.name", "must not be blank")
                phase.name in names -> problem("$pp.name", "'${phase.name}' is already the name of phases[${names[phase.name]}]")
                else -> names[phase.name] = i
            }
            phase.batchSize?.let { checkBatchSize(it, "$pp.batchSize") }
            val batch = phase.batchSize ?: train.batchSizeSchedule
            if (phase.optimizer is PipelineSpec) {
                problem("$pp.optimizer", "a pipeline cannot be nested in a phase; list its phases in the top-level pipeline")
            } else {
                checkSlot(phase.optimizer, "$pp.optimizer", Where(fixedBatch = batch == null || batch is ConstantSchedule), parameters)
            }
            checkStop(phase.until, "$pp.until")
            if (phase.carryState && (phase.optimizer is BatchMethodSpec || p.phases.getOrNull(i - 1)?.optimizer is BatchMethodSpec)) {
                problem("$pp.carryState", "a batch method (${kind(if (phase.optimizer is BatchMethodSpec) phase.optimizer else p.phases[i - 1].optimizer)}) " +
                    "keeps no state another phase can carry; set carryState = false")
            } else if (phase.carryState) {
                if (i == 0) {
                    problem("$pp.carryState", "the first phase has no previous optimizer state to carry")
                } else {
                    val before = structure(p.phases[i - 1].optimizer)
                    val now = structure(phase.optimizer)
                    if (before != now) {
                        problem(
                            "$pp.carryState",
                            "carrying state needs the same optimizer structure as the previous phase " +
                                "('${p.phases[i - 1].name}': $before), got $now; set carryState = false to start fresh",
                        )
                    }
                }
            }
        }
    }

    private fun checkStop(s: StopSpec, path: String) {
        when (s) {
            is EpochsStop -> if (s.epochs <= 0) problem("$path.epochs", "must be > 0, got ${s.epochs}")
            is StepsStop -> if (s.steps <= 0) problem("$path.steps", "must be > 0, got ${s.steps}")
            is TargetStop -> {
                checkMetric(s.metric, "$path.metric")
                if (!s.value.isFinite()) {
                    problem("$path.value", "must be finite, got ${s.value}")
                } else if (EpochMetrics.higherIsBetter(s.metric) && !(s.value >= 0 && s.value <= 1)) {
                    problem("$path.value", "an accuracy target must be in [0, 1], got ${s.value}")
                }
                if (s.maxEpochs <= 0) problem("$path.maxEpochs", "must be > 0, got ${s.maxEpochs}")
            }
            is PlateauStop -> checkPlateau(s.metric, s.patience, s.maxEpochs, s.minDelta, path, early = false)
            is EarlyStoppingStop -> checkPlateau(s.metric, s.patience, s.maxEpochs, s.minDelta, path, early = true)
        }
    }

    private fun checkPlateau(metric: String, patience: Int, maxEpochs: Int, minDelta: Double, path: String, early: Boolean) {
        if (early && checkMetricName(metric) == null && !metric.startsWith("validation.")) {
            problem("$path.metric", "early stopping watches a validation metric (validation.loss or validation.accuracy), not '$metric'")
        } else {
            checkMetric(metric, "$path.metric")
        }
        if (patience <= 0) problem("$path.patience", "must be > 0, got $patience")
        if (maxEpochs <= 0) problem("$path.maxEpochs", "must be > 0, got $maxEpochs")
        if (!(minDelta >= 0 && minDelta.isFinite())) problem("$path.minDelta", "must be >= 0 and finite, got $minDelta")
    }

    /** The engine's complaint about [metric] as a decision metric, or null when it is one. */
    private fun checkMetricName(metric: String): String? = try {
        EpochMetrics.checkMetricName(metric)
        null
    } catch (e: IllegalArgumentException) {
        e.message ?: "unknown metric '$metric'"
    }

    private fun checkMetric(metric: String, path: String) {
        val bad = checkMetricName(metric)
        if (bad != null) {
            problem(path, bad)
        } else if (metric.startsWith("validation.") && !hasValidation) {
            problem(
                path,
                "'$metric' needs a validation split, but train.validationFraction is ${train.validationFraction}; " +
                    "hold out part of the training data, e.g. train { validationFraction = 0.1 }",
            )
        }
    }

    // ---- optimizers and transforms -----------------------------------------------------------

    /** A place that needs a whole optimizer (the top level, a phase, a group): checks it and that it steps. */
    private fun checkSlot(o: OptimizerSpec, path: String, where: Where, params: List<String>?) {
        checkNode(o, path, where, params)
        if (o is PipelineSpec) return
        val leaves = mutableListOf<Pair<OptimizerSpec, String>>()
        flatten(o, path, leaves)
        val steppers = leaves.filter { isStepper(it.first) }
        when {
            steppers.isEmpty() && o is ChainSpec -> if (o.transforms.isNotEmpty()) {
                problem(
                    path,
                    "this chain has no optimizer: clipping, weight decay, noise and averaging only transform the gradients; " +
                        "add one, e.g. chain(clipByGlobalNorm(1.0), sgd(lr = 0.1))",
                )
            }
            steppers.isEmpty() -> problem(
                path,
                "${kind(o)} alone does not update the parameters; chain it with an optimizer, e.g. chain(${kind(o)}(...), sgd(lr = 0.1))",
            )
            steppers.size > 1 -> steppers.drop(1).forEach { (s, p) ->
                problem(p, "a chain applies one optimizer, but ${kind(s)} follows ${kind(steppers[0].first)} (at ${steppers[0].second})")
            }
        }
        val first = leaves.indexOfFirst { isStepper(it.first) }
        if (first >= 0) {
            for ((s, p) in leaves.drop(first + 1)) {
                if (s is WeightDecaySpec) {
                    problem(p, "weight decay after the optimizer would add λθ to its update and grow the weights; chain it before the optimizer")
                }
            }
        }
        val averager = leaves.indexOfFirst { isAverager(it.first) }
        if (averager >= 0) {
            val after = leaves.drop(averager + 1).firstOrNull { !isAverager(it.first) }
            if (after != null) {
                problem(
                    leaves[averager].second,
                    "${kind(leaves[averager].first)} must be the last transform of its chain (it averages the parameters after each " +
                        "update), but ${kind(after.first)} follows it (at ${after.second})",
                )
            }
        }
    }

    /** The members of [o] with nested chains opened, in order, with their paths. */
    private fun flatten(o: OptimizerSpec, path: String, out: MutableList<Pair<OptimizerSpec, String>>) {
        if (o is ChainSpec) {
            o.transforms.forEachIndexed { i, t -> flatten(t, "$path.transforms[$i]", out) }
        } else {
            out += o to path
        }
    }

    private fun checkNode(o: OptimizerSpec, path: String, where: Where, params: List<String>?) {
        fun h(s: ScheduleSpec, field: String, need: Need) = hyper(s, "$path.$field", need, where)
        when (o) {
            is SgdSpec -> {
                h(o.lr, "lr", Need.LEARNING_RATE)
                h(o.momentum, "momentum", Need.UNIT_OPEN)
                h(o.weightDecay, "weightDecay", Need.NON_NEGATIVE)
                h(o.dampening, "dampening", Need.UNIT_CLOSED)
                if (o.nesterov) {
                    // compare values, not data classes: ConstantSchedule(-0.0) != ConstantSchedule(0.0)
                    val m = o.momentum
                    if (m is ConstantSchedule && m.value == 0.0) problem("$path.nesterov", "Nesterov momentum needs a momentum > 0")
                    val d = o.dampening
                    if (!(d is ConstantSchedule && d.value == 0.0)) problem("$path.dampening", "must be 0 with Nesterov momentum")
                }
            }
            is MomentumSpec -> {
                h(o.lr, "lr", Need.LEARNING_RATE)
                h(o.momentum, "momentum", Need.UNIT_OPEN)
            }
            is NesterovBookSpec -> {
                h(o.lr, "lr", Need.LEARNING_RATE)
                h(o.momentum, "momentum", Need.UNIT_OPEN)
            }
            is AdagradSpec -> {
                h(o.lr, "lr", Need.LEARNING_RATE)
                h(o.lrDecay, "lrDecay", Need.NON_NEGATIVE)
                h(o.weightDecay, "weightDecay", Need.NON_NEGATIVE)
                h(o.eps, "eps", Need.NON_NEGATIVE)
                if (!Need.NON_NEGATIVE.accepts(o.initialAccumulatorValue)) {
                    problem("$path.initialAccumulatorValue", "must be >= 0 and finite, got ${o.initialAccumulatorValue}")
                }
            }
            is RmspropSpec -> {
                h(o.lr, "lr", Need.LEARNING_RATE)
                h(o.alpha, "alpha", Need.UNIT_OPEN)
                h(o.eps, "eps", Need.NON_NEGATIVE)
                h(o.momentum, "momentum", Need.UNIT_OPEN)
                h(o.weightDecay, "weightDecay", Need.NON_NEGATIVE)
            }
            is RmspropNesterovSpec -> {
                h(o.lr, "lr", Need.LEARNING_RATE)
                h(o.rho, "rho", Need.UNIT_OPEN)
                h(o.eps, "eps", Need.NON_NEGATIVE)
                h(o.momentum, "momentum", Need.UNIT_OPEN)
                val m = o.momentum
                if (m is ConstantSchedule && m.value == 0.0) problem("$path.momentum", "RMSProp with Nesterov momentum needs a momentum > 0")
                h(o.weightDecay, "weightDecay", Need.NON_NEGATIVE)
            }
            is AdamSpec -> {
                h(o.lr, "lr", Need.LEARNING_RATE)
                h(o.beta1, "beta1", Need.UNIT_OPEN)
                h(o.beta2, "beta2", Need.UNIT_OPEN)
                h(o.eps, "eps", Need.NON_NEGATIVE)
                h(o.weightDecay, "weightDecay", Need.NON_NEGATIVE)
            }
            is AdamWSpec -> {
                h(o.lr, "lr", Need.LEARNING_RATE)
                h(o.beta1, "beta1", Need.UNIT_OPEN)
                h(o.beta2, "beta2", Need.UNIT_OPEN)
                h(o.eps, "eps", Need.NON_NEGATIVE)
                h(o.weightDecay, "weightDecay", Need.NON_NEGATIVE)
            }
            is AdadeltaSpec -> {
                h(o.lr, "lr", Need.LEARNING_RATE)
                h(o.rho, "rho", Need.UNIT_CLOSED)
                h(o.eps, "eps", Need.NON_NEGATIVE)
                h(o.weightDecay, "weightDecay", Need.NON_NEGATIVE)
            }
            is ClipByValueSpec -> h(o.threshold, "threshold", Need.POSITIVE)
            is ClipByNormSpec -> h(o.maxNorm, "maxNorm", Need.POSITIVE)
            is ClipByGlobalNormSpec -> h(o.maxNorm, "maxNorm", Need.POSITIVE)
            is WeightDecaySpec -> h(o.weightDecay, "weightDecay", Need.NON_NEGATIVE)
            is GradientNoiseSpec -> {
                if (o.variance != null) {
                    if (o.eta != null) problem("$path.eta", "give either eta and gamma or a variance schedule, not both")
                    if (o.gamma != null) problem("$path.gamma", "give either eta and gamma or a variance schedule, not both")
                    h(o.variance, "variance", Need.NON_NEGATIVE)
                } else {
                    o.eta?.let { if (!Need.NON_NEGATIVE.accepts(it)) problem("$path.eta", "must be >= 0 and finite, got $it") }
                    o.gamma?.let { if (!Need.NON_NEGATIVE.accepts(it)) problem("$path.gamma", "must be >= 0 and finite, got $it") }
                }
            }
            is PolyakSpec -> if (o.fromStep < 0) problem("$path.fromStep", "must be >= 0, got ${o.fromStep}")
            is EmaSpec -> h(o.decay, "decay", Need.UNIT_CLOSED)
            is ChainSpec -> {
                if (o.transforms.isEmpty()) problem("$path.transforms", "a chain needs at least one transform")
                o.transforms.forEachIndexed { i, t ->
                    if (t is BatchMethodSpec) {
                        problem("$path.transforms[$i]", notInCombinator(t, "a chain"))
                    } else {
                        checkNode(t, "$path.transforms[$i]", where, params)
                    }
                }
            }
            is BatchMethodSpec -> checkBatchMethod(o, path, params)
            is GroupsSpec -> checkGroups(o, path, where, params)
            FreezeSpec -> Unit
            is PipelineSpec -> problem(
                path,
                "a pipeline may appear only at the top level (optimizer = pipeline { ... }), not inside a chain, group or phase",
            )
        }
    }

    private fun checkGroups(g: GroupsSpec, path: String, where: Where, params: List<String>?) {
        if (g.groups.isEmpty() && g.otherwise == null) problem("$path.groups", "needs at least one group (or an otherwise optimizer)")
        val names = mutableMapOf<String, Int>()
        var patternsOk = true
        g.groups.forEachIndexed { i, group ->
            val gp = "$path.groups[$i]"
            when {
                group.name.isEmpty() || group.name.contains('/') ->
                    problem("$gp.name", "must be non-empty and contain no '/', got '${group.name}'")
                group.name == Partition.DEFAULT_GROUP ->
                    problem("$gp.name", "'${Partition.DEFAULT_GROUP}' is reserved for the parameters no group claims (otherwise)")
                group.name in names -> problem("$gp.name", "'${group.name}' is already the name of groups[${names[group.name]}]")
                else -> names[group.name] = i
            }
            if (group.patterns.isEmpty()) {
                problem("$gp.patterns", "a group needs at least one pattern, e.g. \"**.bias\"")
                patternsOk = false
            }
            group.patterns.forEachIndexed { j, pattern ->
                if (!PathPattern.isValid(pattern)) {
                    patternsOk = false
                    val why = try {
                        PathPattern.of(pattern)
                        "malformed path pattern '$pattern'"
                    } catch (e: IllegalArgumentException) {
                        e.message ?: "malformed path pattern '$pattern'"
                    }
                    problem("$gp.patterns[$j]", why)
                }
            }
        }
        // which parameters each group gets, as the engine's Partition will assign them
        val claimed = if (params != null && patternsOk) {
            val patterns = g.groups.map { grp -> grp.patterns.map { PathPattern.of(it) } }
            params.groupBy { p -> patterns.indexOfFirst { ps -> ps.any { it.matches(p) } } }
        } else {
            null
        }
        g.groups.forEachIndexed { i, group ->
            val mine = claimed?.let { it[i] ?: emptyList() }
            if (claimed != null && mine!!.isEmpty()) {
                val matched = params!!.filter { p -> group.patterns.any { PathPattern.of(it).matches(p) } }
                problem(
                    "$path.groups[$i].patterns",
                    if (matched.isEmpty()) {
                        "group '${group.name}' matches no parameter of the model (parameters: ${params.joinToString()})"
                    } else {
                        "group '${group.name}' gets no parameter: ${matched.joinToString()} went to earlier groups " +
                            "(each parameter goes to the first group that matches it)"
                    },
                )
            }
            if (group.optimizer is BatchMethodSpec) {
                problem("$path.groups[$i].optimizer", notInCombinator(group.optimizer, "a parameter group"))
            } else {
                checkSlot(group.optimizer, "$path.groups[$i].optimizer", where, mine)
            }
        }
        val unclaimed = claimed?.get(-1) ?: emptyList()
        if (g.otherwise is BatchMethodSpec) {
            problem("$path.otherwise", notInCombinator(g.otherwise, "a parameter group"))
        } else if (g.otherwise != null) {
            checkSlot(g.otherwise, "$path.otherwise", where, claimed?.let { unclaimed })
        } else if (unclaimed.isNotEmpty()) {
            problem(
                "$path.otherwise",
                "is not set, but no group claims ${unclaimed.joinToString()}; add otherwise = ... or a group whose pattern matches them",
            )
        }
    }

    // ---- batch methods -------------------------------------------------------------------------

    private fun notInCombinator(o: OptimizerSpec, where: String) =
        "${kind(o)} is a batch method: it needs the objective itself (values at trial points, curvature products), not a " +
            "gradient, so it cannot be a member of $where; use it as the whole optimizer (optimizer = ${kind(o)}(...)) or as " +
            "a pipeline phase's optimizer (phase(\"${kind(o)}\", epochs = 3) { ${kind(o)}(...) })"

    private fun checkBatchMethod(o: BatchMethodSpec, path: String, params: List<String>?) {
        fun positive(v: Double, field: String) { if (!(v > 0 && v.isFinite())) problem("$path.$field", "must be > 0 and finite, got $v") }
        fun nonNegative(v: Double, field: String) { if (!(v >= 0 && v.isFinite())) problem("$path.$field", "must be >= 0 and finite, got $v") }
        fun atLeastOne(v: Int, field: String) { if (v < 1) problem("$path.$field", "must be >= 1, got $v") }
        fun oneOf(v: String, field: String, allowed: List<String>) {
            if (v !in allowed) problem("$path.$field", "must be one of ${allowed.joinToString { "\"$it\"" }}, got \"$v\"")
        }
        fun adaptive(decrease: Double, increase: Double, minDamping: Double, maxTrials: Int) {
            if (!(decrease > 0 && decrease < 1)) problem("$path.decrease", "must be in (0, 1), got $decrease")
            if (!(increase > 1 && increase.isFinite())) problem("$path.increase", "must be > 1 and finite, got $increase")
            nonNegative(minDamping, "minDamping")
            atLeastOne(maxTrials, "maxTrials")
        }
        when (o) {
            is LbfgsSpec -> {
                positive(o.lr, "lr")
                atLeastOne(o.history, "history")
                atLeastOne(o.maxIter, "maxIter")
                o.maxEval?.let { atLeastOne(it, "maxEval") }
                nonNegative(o.toleranceGrad, "toleranceGrad")
                nonNegative(o.toleranceChange, "toleranceChange")
                oneOf(o.lineSearch, "lineSearch", LINE_SEARCHES)
            }
            is BfgsSpec -> {
                oneOf(o.lineSearch, "lineSearch", LINE_SEARCHES)
                nonNegative(o.toleranceGrad, "toleranceGrad")
            }
            is ConjugateGradientSpec -> {
                oneOf(o.variant, "variant", listOf("polak-ribiere", "fletcher-reeves"))
                oneOf(o.lineSearch, "lineSearch", LINE_SEARCHES)
                if (o.restartEvery < 0) problem("$path.restartEvery", "must be >= 0 (0: every n steps), got ${o.restartEvery}")
                nonNegative(o.toleranceGrad, "toleranceGrad")
            }
            is NewtonSpec -> {
                oneOf(o.damping, "damping", listOf("none", "fixed", "levenberg-marquardt"))
                oneOf(o.curvature, "curvature", listOf("hessian", "gauss-newton"))
                nonNegative(o.alpha, "alpha")
                if (o.damping == "levenberg-marquardt") adaptive(o.decrease, o.increase, o.minDamping, o.maxTrials)
            }
            is SaddleFreeNewtonSpec -> {
                oneOf(o.damping, "damping", listOf("fixed", "levenberg-marquardt"))
                positive(o.alpha, "alpha")
                if (o.damping == "levenberg-marquardt") adaptive(o.decrease, o.increase, o.minDamping, o.maxTrials)
            }
            is HessianFreeSpec -> {
                nonNegative(o.damping, "damping")
                atLeastOne(o.cgIterations, "cgIterations")
                oneOf(o.curvature, "curvature", listOf("gauss-newton", "hessian"))
                positive(o.cgTolerance, "cgTolerance")
                if (!(o.warmStart >= 0 && o.warmStart <= 1)) problem("$path.warmStart", "must be in [0, 1], got ${o.warmStart}")
            }
            is NaturalGradientSpec -> {
                positive(o.lr, "lr")
                oneOf(o.fisher, "fisher", listOf("model", "empirical"))
                oneOf(o.solver, "solver", listOf("cg", "explicit"))
                if (o.solver == "explicit") positive(o.damping, "damping") else nonNegative(o.damping, "damping")
                atLeastOne(o.cgIterations, "cgIterations")
                positive(o.cgTolerance, "cgTolerance")
            }
            is BlockCoordinateSpec -> {
                atLeastOne(o.innerSteps, "innerSteps")
                if (o.blocks.isEmpty()) problem("$path.blocks", "needs at least one block, e.g. listOf(listOf(\"layers.0.*\"))")
                o.blocks.forEachIndexed { i, block ->
                    if (block.isEmpty()) problem("$path.blocks[$i]", "a block needs at least one path pattern")
                    block.forEachIndexed { j, pattern ->
                        if (!PathPattern.isValid(pattern)) problem("$path.blocks[$i][$j]", "malformed path pattern '$pattern'")
                    }
                    if (params != null && block.isNotEmpty() && block.all { PathPattern.isValid(it) } &&
                        params.none { p -> block.any { PathPattern.of(it).matches(p) } }
                    ) {
                        problem("$path.blocks[$i]", "block ${block} matches no parameter of the model (parameters: ${params.joinToString()})")
                    }
                }
                when (val inner = o.inner) {
                    is PipelineSpec -> problem("$path.inner", "a pipeline cannot be the inner method of block coordinate descent")
                    is BatchMethodSpec -> checkBatchMethod(inner, "$path.inner", null)
                    else -> checkSlot(inner, "$path.inner", Where(fixedBatch = false), null)
                }
            }
        }
    }

    // ---- hyperparameters and schedules -------------------------------------------------------

    private fun hyper(s: ScheduleSpec, path: String, need: Need, where: Where) {
        if (s is ConstantSchedule) {
            if (!need.accepts(s.value)) problem(path, "must be ${need.constantText}, got ${s.value}")
            return
        }
        if (!checkSchedule(s, path, where)) return
        val range = range(s)
        if (!need.accepts(range)) {
            val at = if (where.batchSize) "epoch" else "step"
            problem(path, "must be ${need.scheduleText} at every $at, but the schedule's values range over $range")
        }
    }

    /** A schedule read by epoch (curriculum pacing, self-paced λ, continuation amounts) whose values must meet [need]. */
    fun checkEpochSchedule(s: ScheduleSpec, path: String, need: Need) = hyper(s, path, need, Where(batchSize = true))

    private fun checkBatchSize(s: ScheduleSpec, path: String) = hyper(s, path, Need.BATCH_SIZE, Where(batchSize = true))

    /** Checks a schedule's own arguments; true when they are valid (so that its range can be computed). */
    private fun checkSchedule(s: ScheduleSpec, path: String, where: Where): Boolean {
        var ok = true
        fun bad(field: String, message: String) {
            problem("$path.$field", message)
            ok = false
        }
        fun finite(field: String, v: Double) = if (!v.isFinite()) bad(field, "must be finite, got $v") else Unit
        fun fraction(field: String, v: Double) = if (!(v > 0 && v <= 1)) bad(field, "must be a fraction of the data in (0, 1], got $v") else Unit
        fun positive(field: String, v: Double) = if (!(v > 0 && v.isFinite())) bad(field, "must be > 0 and finite, got $v") else Unit
        fun nonNegative(field: String, v: Double) = if (!(v >= 0 && v.isFinite())) bad(field, "must be >= 0 and finite, got $v") else Unit
        fun atLeast(field: String, v: Long, min: Long) = if (v < min) bad(field, "must be ${if (min == 1L) "> 0" else ">= $min"}, got $v") else Unit
        fun increasing(field: String, values: List<Long>) = values.forEachIndexed { i, v ->
            if (i == 0) atLeast("$field[0]", v, 1) else if (v <= values[i - 1]) bad("$field[$i]", "must be > $field[${i - 1}] (${values[i - 1]}), got $v")
        }
        when (s) {
            is ConstantSchedule -> if (!s.value.isFinite()) {
                problem(path, "must be finite, got ${s.value}")
                ok = false
            }
            is StepDecaySchedule -> {
                finite("initial", s.initial)
                positive("factor", s.factor)
                atLeast("every", s.every, 1)
            }
            is MultiStepSchedule -> {
                finite("initial", s.initial)
                positive("factor", s.factor)
                increasing("milestones", s.milestones)
            }
            is ExponentialSchedule -> {
                finite("initial", s.initial)
                nonNegative("rate", s.rate)
            }
            is InverseTimeSchedule -> {
                finite("initial", s.initial)
                nonNegative("rate", s.rate)
            }
            is LinearDecaySchedule -> {
                finite("initial", s.initial)
                atLeast("steps", s.steps, 1)
                finite("end", s.end)
            }
            is PolynomialSchedule -> {
                finite("initial", s.initial)
                atLeast("steps", s.steps, 1)
                finite("end", s.end)
                positive("power", s.power)
            }
            is CosineSchedule -> {
                finite("initial", s.initial)
                atLeast("steps", s.steps, 1)
                finite("end", s.end)
            }
            is StepPacingSchedule -> {
                fraction("start", s.start)
                if (!(s.increment >= 0) || !s.increment.isFinite()) bad("increment", "must be >= 0 and finite, got ${s.increment}")
                atLeast("every", s.every, 1)
            }
            is LinearPacingSchedule -> {
                fraction("from", s.from)
                fraction("to", s.to)
                atLeast("epochs", s.epochs, 1)
            }
            is RootPacingSchedule -> {
                fraction("from", s.from)
                atLeast("epochs", s.epochs, 1)
                positive("power", s.power)
            }
            is GeometricPacingSchedule -> {
                fraction("from", s.from)
                atLeast("epochs", s.epochs, 1)
            }
            is ExponentialPacingSchedule -> {
                fraction("start", s.start)
                if (!(s.factor >= 1) || !s.factor.isFinite()) bad("factor", "must be >= 1 and finite (the share grows), got ${s.factor}")
                atLeast("every", s.every, 1)
            }
            is WarmupSchedule -> {
                if (!checkSchedule(s.after, "$path.after", where)) ok = false
                atLeast("steps", s.steps, 0)
                finite("start", s.start)
            }
            is JoinSchedule -> {
                if (s.parts.isEmpty()) bad("parts", "a join needs at least one part")
                s.parts.forEachIndexed { i, part -> if (!checkSchedule(part, "$path.parts[$i]", where)) ok = false }
                if (s.parts.isNotEmpty() && s.boundaries.size != s.parts.size - 1) {
                    bad("boundaries", "needs one boundary between each two parts (${s.parts.size - 1}), got ${s.boundaries.size}")
                } else {
                    increasing("boundaries", s.boundaries)
                }
            }
            is SutskeverMomentumSchedule -> {
                if (!(s.max >= 0 && s.max <= 1)) bad("max", "must be in [0, 1], got ${s.max}")
                atLeast("every", s.every, 1)
            }
            is PerEpochSchedule -> {
                val misplaced = when {
                    where.batchSize -> "a batch-size schedule is already read by epoch; perEpoch(...) does not apply to it"
                    where.perEpoch -> "is already inside perEpoch(...)"
                    !where.fixedBatch ->
                        "perEpoch needs a fixed batch size to count the steps of an epoch, but this phase's batch size is a schedule"
                    else -> null
                }
                if (misplaced != null) {
                    problem(path, misplaced)
                    ok = false
                }
                if (!checkSchedule(s.ofEpoch, "$path.ofEpoch", where.copy(perEpoch = true))) ok = false
            }
            is ReduceOnPlateauSchedule -> {
                if (where.batchSize) {
                    problem(path, "a batch size cannot be reduced on a plateau (only optimizer schedules see the metrics)")
                    ok = false
                }
                if (!checkSchedule(s.base, "$path.base", where)) ok = false
                checkMetric(s.metric, "$path.metric")
                if (!(s.factor > 0 && s.factor < 1)) bad("factor", "must be in (0, 1), got ${s.factor}")
                if (s.patience < 0) bad("patience", "must be >= 0, got ${s.patience}")
                when (s.thresholdMode) {
                    "rel" -> if (!(s.threshold >= 0 && s.threshold < 1)) bad("threshold", "must be in [0, 1) when relative, got ${s.threshold}")
                    "abs" -> nonNegative("threshold", s.threshold)
                    else -> bad("thresholdMode", "must be 'rel' or 'abs', got '${s.thresholdMode}'")
                }
                if (s.cooldown < 0) bad("cooldown", "must be >= 0, got ${s.cooldown}")
                nonNegative("minValue", s.minValue)
                if (s.mode != null && s.mode != "min" && s.mode != "max") {
                    bad("mode", "must be 'min', 'max' or null (follow the metric), got '${s.mode}'")
                }
            }
        }
        return ok
    }

    private fun range(s: ScheduleSpec): ValueRange = when (s) {
        is ConstantSchedule -> ValueRange.of(s.value)
        is StepDecaySchedule -> growOrDecay(s.initial, s.factor)
        is MultiStepSchedule -> (0..s.milestones.size).map { k -> s.initial * Math.pow(s.factor, k.toDouble()) }
            .let { vs -> ValueRange(vs.min(), vs.max()) }
        is ExponentialSchedule -> if (s.rate == 0.0) ValueRange.of(s.initial) else ValueRange.decayingToZero(s.initial)
        is InverseTimeSchedule -> if (s.rate == 0.0) ValueRange.of(s.initial) else ValueRange.decayingToZero(s.initial)
        is LinearDecaySchedule -> ValueRange.of(s.initial).hull(ValueRange.of(s.end))
        is PolynomialSchedule -> ValueRange.of(s.initial).hull(ValueRange.of(s.end))
        is CosineSchedule -> ValueRange.of(s.initial).hull(ValueRange.of(s.end))
        is StepPacingSchedule -> ValueRange(s.start, 1.0)
        is LinearPacingSchedule -> ValueRange.of(s.from).hull(ValueRange.of(s.to))
        is RootPacingSchedule -> ValueRange(s.from, 1.0)
        is GeometricPacingSchedule -> ValueRange(s.from, 1.0)
        is ExponentialPacingSchedule -> ValueRange(s.start, 1.0)
        is WarmupSchedule -> if (s.steps == 0L) range(s.after) else ValueRange.of(s.start).hull(range(s.after))
        is JoinSchedule -> s.parts.map { range(it) }.reduce(ValueRange::hull)
        is SutskeverMomentumSchedule -> if (s.max < 1) {
            ValueRange(minOf(0.5, s.max), s.max)
        } else {
            ValueRange(0.5, 1.0, hiIn = false)
        }
        is PerEpochSchedule -> range(s.ofEpoch)
        is ReduceOnPlateauSchedule -> range(s.base).let { b ->
            when {
                s.minValue < b.lo -> ValueRange(s.minValue, b.hi, loIn = s.minValue > 0, hiIn = b.hiIn)
                else -> b
            }
        }
    }

    private fun growOrDecay(initial: Double, factor: Double): ValueRange = when {
        factor == 1.0 || initial == 0.0 -> ValueRange.of(initial)
        factor < 1 -> ValueRange.decayingToZero(initial)
        initial > 0 -> ValueRange(initial, Double.POSITIVE_INFINITY, hiIn = false)
        else -> ValueRange(Double.NEGATIVE_INFINITY, initial, loIn = false)
    }

    // ---- classification ----------------------------------------------------------------------

    companion object {
        /** Whether [o] updates the parameters by itself (an optimizer, groups, freeze) rather than transforming gradients. */
        fun isStepper(o: OptimizerSpec): Boolean = when (o) {
            is SgdSpec, is MomentumSpec, is NesterovBookSpec, is AdagradSpec, is RmspropSpec, is RmspropNesterovSpec,
            is AdamSpec, is AdamWSpec, is AdadeltaSpec, is GroupsSpec, FreezeSpec, is BatchMethodSpec,
            -> true
            else -> false
        }

        fun isAverager(o: OptimizerSpec): Boolean = o is PolyakSpec || o is EmaSpec

        /** Whether evaluation can use averaged parameters: an averager at the top or in chains (not in groups), in any phase. */
        fun hasAverager(o: OptimizerSpec): Boolean = when (o) {
            is PolyakSpec, is EmaSpec -> true
            is ChainSpec -> o.transforms.any { hasAverager(it) }
            is PipelineSpec -> o.phases.any { hasAverager(it.optimizer) }
            else -> false
        }

        /** The DSL name of [o]'s kind, for messages. */
        fun kind(o: OptimizerSpec): String = when (o) {
            is SgdSpec -> "sgd"
            is MomentumSpec -> "momentum"
            is NesterovBookSpec -> "nesterovBook"
            is AdagradSpec -> "adagrad"
            is RmspropSpec -> "rmsprop"
            is RmspropNesterovSpec -> "rmspropNesterov"
            is AdamSpec -> "adam"
            is AdamWSpec -> "adamw"
            is AdadeltaSpec -> "adadelta"
            is ClipByValueSpec -> "clipByValue"
            is ClipByNormSpec -> "clipByNorm"
            is ClipByGlobalNormSpec -> "clipByGlobalNorm"
            is WeightDecaySpec -> "weightDecay"
            is GradientNoiseSpec -> "gradientNoise"
            is PolyakSpec -> "polyak"
            is EmaSpec -> "ema"
            is ChainSpec -> "chain"
            is GroupsSpec -> "groups"
            FreezeSpec -> "freeze"
            is PipelineSpec -> "pipeline"
            is LbfgsSpec -> "lbfgs"
            is BfgsSpec -> "bfgs"
            is ConjugateGradientSpec -> "conjugateGradient"
            is NewtonSpec -> "newton"
            is SaddleFreeNewtonSpec -> "saddleFreeNewton"
            is HessianFreeSpec -> "hessianFree"
            is NaturalGradientSpec -> "naturalGradient"
            is BlockCoordinateSpec -> "blockCoordinate"
        }

        /** The line searches a batch method's `lineSearch` names. */
        val LINE_SEARCHES = listOf("strong-wolfe", "armijo", "exact", "none")

        /**
         * The shape of the engine transform [o] compiles to: kinds, nesting, and the links the
         * engine leaves out when a constant hyperparameter is 0. Two optimizers whose states
         * fit each other have the same structure.
         */
        fun structure(o: OptimizerSpec): String {
            fun on(s: ScheduleSpec, link: String) = if (s is ConstantSchedule && s.value == 0.0) "" else "+$link"
            return when (o) {
                is SgdSpec -> "sgd" + on(o.weightDecay, "weightDecay") + on(o.momentum, "momentum")
                is AdagradSpec -> "adagrad" + on(o.weightDecay, "weightDecay") + on(o.lrDecay, "lrDecay")
                is RmspropSpec -> "rmsprop" + on(o.weightDecay, "weightDecay") + (if (o.centered) "+centered" else "") + on(o.momentum, "momentum")
                is RmspropNesterovSpec -> "rmspropNesterov" + on(o.weightDecay, "weightDecay")
                is AdamSpec -> "adam" + on(o.weightDecay, "weightDecay") + (if (o.amsgrad) "+amsgrad" else "")
                is AdamWSpec -> "adamw" + on(o.weightDecay, "weightDecay") + (if (o.amsgrad) "+amsgrad" else "")
                is AdadeltaSpec -> "adadelta" + on(o.weightDecay, "weightDecay")
                is ChainSpec -> o.transforms.joinToString(", ", "chain(", ")") { structure(it) }
                is GroupsSpec -> (o.groups.map { "${it.name}: ${structure(it.optimizer)}" } + listOfNotNull(o.otherwise?.let { "otherwise: ${structure(it)}" }))
                    .joinToString(", ", "groups(", ")")
                else -> kind(o)
            }
        }
    }
}
