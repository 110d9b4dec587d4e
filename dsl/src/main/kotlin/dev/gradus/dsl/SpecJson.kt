package dev.gradus.dsl

import kotlinx.serialization.SerializationException
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.intOrNull
import kotlinx.serialization.json.jsonPrimitive

/**
 * The JSON form of an [ExperimentSpec]: what a run record's `spec.json` holds and what Java users
 * may write by hand. Every field is written (defaults included) so that a record does not depend
 * on this build's defaults; polymorphic parts carry a `"type"` (`"shapeset"`, `"fashion-mnist"`,
 * `"dense"`, `"sgd"`). Unknown keys are errors, and so are NaN and Infinity, which JSON cannot
 * express; numbers are range-checked by [SpecCompiler.validate].
 */
object SpecJson {
    /** The configured codec, for callers that embed specs in larger documents. */
    @JvmStatic
    val json: Json = Json {
        classDiscriminator = "type"
        encodeDefaults = true
        prettyPrint = true
        ignoreUnknownKeys = false
    }

    /**
     * Pretty-printed JSON of [spec]. Throws [SpecFormatException] if the spec holds NaN or
     * Infinity, which JSON cannot express (such a spec would not pass [SpecCompiler.validate]).
     */
    @JvmStatic
    fun encode(spec: ExperimentSpec): String = try {
        json.encodeToString(ExperimentSpec.serializer(), spec)
    } catch (e: SerializationException) {
        throw SpecFormatException("cannot write experiment '${spec.name}' as JSON: ${e.message}", e)
    }

    /**
     * The spec in [text]. Throws [SpecFormatException] when the text is not a spec of a version
     * this build reads, with the decoder's message (which names the path, e.g. `$.model.layers[0]`).
     * Values are not checked here: see [SpecCompiler.validate].
     */
    @JvmStatic
    fun decode(text: String): ExperimentSpec {
        try {
            return json.decodeFromString(ExperimentSpec.serializer(), text)
        } catch (e: IllegalArgumentException) { // SerializationException is one
            val version = versionOf(text)
            if (version != null && version != ExperimentSpec.CURRENT_VERSION) {
                throw SpecFormatException(
                    "unsupported spec version $version (this build reads version ${ExperimentSpec.CURRENT_VERSION}); " +
                        "decoding it as version ${ExperimentSpec.CURRENT_VERSION} failed: ${e.message}",
                    e,
                )
            }
            throw SpecFormatException("not a valid experiment spec: ${e.message}", e)
        }
    }

    /** The top-level `"version"` of [text] if it is a JSON object with an integer one. */
    private fun versionOf(text: String): Int? = try {
        (json.parseToJsonElement(text) as? JsonObject)?.get("version")?.jsonPrimitive?.intOrNull
    } catch (e: SerializationException) {
        null
    } catch (e: IllegalArgumentException) {
        null
    }
}
