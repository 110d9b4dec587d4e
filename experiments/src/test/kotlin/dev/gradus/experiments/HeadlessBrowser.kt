package dev.gradus.experiments

import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.contentOrNull
import kotlinx.serialization.json.int
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.put
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.net.http.WebSocket
import java.nio.file.Files
import java.nio.file.Path
import java.util.Base64
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CompletionStage
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import kotlin.io.path.exists
import kotlin.io.path.readLines

/**
 * Opens a page in headless Chromium over the DevTools protocol and reports what a reader's browser
 * would complain about: uncaught script errors, console errors, failed resource loads (a missing
 * image, a blocked or unreachable URL). Also returns the rendered DOM and a full-page screenshot.
 */
object HeadlessBrowser {
    /** What opening the page gave: the complaints (empty: none), the DOM after loading, a PNG screenshot. */
    class Page(val errors: List<String>, val dom: String, val screenshot: ByteArray)

    /** Set to 1 to skip the browser checks on a machine without Chromium (CI installs it). */
    const val SKIP_ENV = "GRADUS_SKIP_BROWSER"

    /** Set to 1 (as `.ci/run` does) to make a missing Chromium a test failure instead of a skip. */
    const val REQUIRE_ENV = "GRADUS_REQUIRE_BROWSER"

    /** The Chromium executable on the PATH, or null. */
    fun executable(): Path? = listOf("chromium", "chromium-browser", "google-chrome")
        .flatMap { name -> System.getenv("PATH").orEmpty().split(':').map { Path.of(it, name) } }
        .firstOrNull { Files.isExecutable(it) }

    fun open(file: Path, timeoutSeconds: Long = 60): Page {
        val chromium = executable() ?: error("chromium not found on PATH: install it (apt-get install chromium; .ci/run does) or set $SKIP_ENV=1")
        val profile = Files.createTempDirectory("gradus-chromium")
        val log = profile.resolve("chromium.log")
        val process = ProcessBuilder(
            chromium.toString(), "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
            "--remote-debugging-port=0", "--user-data-dir=$profile", "--window-size=1280,1024", "about:blank",
        ).redirectErrorStream(true).redirectOutput(log.toFile()).start()
        try {
            // Chromium writes the port it chose here once DevTools listens
            val portFile = profile.resolve("DevToolsActivePort")
            val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds)
            while (!(portFile.exists() && portFile.readLines().isNotEmpty())) {
                check(process.isAlive) { "chromium exited (${process.exitValue()}) before DevTools listened: ${Files.readString(log).takeLast(2000)}" }
                check(System.nanoTime() < deadline) { "chromium did not open DevTools in $timeoutSeconds s" }
                Thread.sleep(50)
            }
            val port = portFile.readLines().first().trim()
            val http = HttpClient.newHttpClient()
            val targets = Json.parseToJsonElement(
                http.send(HttpRequest.newBuilder(URI("http://127.0.0.1:$port/json/list")).build(), HttpResponse.BodyHandlers.ofString()).body(),
            ).jsonArray
            val page = targets.map { it.jsonObject }.first { it["type"]?.jsonPrimitive?.content == "page" }
            return Session(http, page["webSocketDebuggerUrl"]!!.jsonPrimitive.content, timeoutSeconds).use { it.load(file.toUri().toString()) }
        } finally {
            process.descendants().forEach { it.destroyForcibly() }
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS)
            profile.toFile().deleteRecursively()
        }
    }

    private class Session(http: HttpClient, url: String, private val timeoutSeconds: Long) : AutoCloseable {
        private val nextId = AtomicInteger()
        private val pending = ConcurrentHashMap<Int, CompletableFuture<JsonObject>>()
        private val events = CopyOnWriteArrayList<JsonObject>()
        private val loaded = CompletableFuture<Unit>()
        private val socket: WebSocket = http.newWebSocketBuilder().buildAsync(
            URI(url),
            object : WebSocket.Listener {
                private val partial = StringBuilder()

                override fun onText(ws: WebSocket, data: CharSequence, last: Boolean): CompletionStage<*>? {
                    partial.append(data)
                    if (last) {
                        val message = Json.parseToJsonElement(partial.toString()).jsonObject
                        partial.setLength(0)
                        val id = message["id"]?.jsonPrimitive?.int
                        if (id != null) {
                            pending.remove(id)?.complete(message)
                        } else {
                            events += message
                            if (message["method"]?.jsonPrimitive?.content == "Page.loadEventFired") loaded.complete(Unit)
                        }
                    }
                    ws.request(1)
                    return null
                }
            },
        ).get(timeoutSeconds, TimeUnit.SECONDS)

        fun call(method: String, params: JsonObject = JsonObject(emptyMap())): JsonObject {
            val id = nextId.incrementAndGet()
            val answer = CompletableFuture<JsonObject>().also { pending[id] = it }
            socket.sendText(buildJsonObject { put("id", id); put("method", method); put("params", params) }.toString(), true)
            val message = answer.get(timeoutSeconds, TimeUnit.SECONDS)
            message["error"]?.let { error("$method failed: $it") }
            return message["result"]!!.jsonObject
        }

        fun load(url: String): Page {
            for (domain in listOf("Runtime", "Log", "Network", "Page")) call("$domain.enable")
            val navigation = call("Page.navigate", buildJsonObject { put("url", url) })
            val errors = mutableListOf<String>()
            navigation["errorText"]?.jsonPrimitive?.contentOrNull?.let { errors += "navigation to $url failed: $it" }
            if (errors.isEmpty()) loaded.get(timeoutSeconds, TimeUnit.SECONDS)
            Thread.sleep(200) // console messages of the last scripts and loads arrive just after the load event
            val dom = call("Runtime.evaluate", buildJsonObject { put("expression", "document.documentElement.outerHTML"); put("returnByValue", true) })
                .let { it["result"]!!.jsonObject["value"]!!.jsonPrimitive.content }
            val shot = call("Page.captureScreenshot", buildJsonObject { put("format", "png"); put("captureBeyondViewport", true) })
            val urls = mutableMapOf<String, String>()
            for (e in events) {
                val p = e["params"]?.jsonObject ?: continue
                fun s(o: JsonObject?, key: String) = (o?.get(key) as? JsonPrimitive)?.contentOrNull
                when (e["method"]?.jsonPrimitive?.content) {
                    "Network.requestWillBeSent" -> urls[s(p, "requestId") ?: ""] = s(p["request"]?.jsonObject, "url") ?: "?"
                    "Network.loadingFailed" -> errors += "failed to load ${urls[s(p, "requestId")] ?: "?"}: ${s(p, "errorText")}"
                    "Runtime.exceptionThrown" -> p["exceptionDetails"]?.jsonObject.let {
                        errors += "script error: ${s(it, "text")} ${s(it?.get("exception")?.jsonObject, "description") ?: ""}".trim()
                    }
                    "Runtime.consoleAPICalled" -> if (s(p, "type") in setOf("error", "assert")) {
                        errors += "console.${s(p, "type")}: ${p["args"]?.jsonArray?.joinToString(" ") { s(it.jsonObject, "value") ?: s(it.jsonObject, "description") ?: "?" }}"
                    }
                    "Log.entryAdded" -> p["entry"]?.jsonObject?.let {
                        if (s(it, "level") == "error") errors += "console (${s(it, "source")}): ${s(it, "text")} ${s(it, "url") ?: ""}".trim()
                    }
                }
            }
            return Page(errors, dom, Base64.getDecoder().decode(shot["data"]!!.jsonPrimitive.content))
        }

        override fun close() {
            // the browser is killed next; a close handshake that does not finish changes nothing
            runCatching { socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS) }
        }
    }
}
