package io.losswatch.http;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import io.losswatch.event.Segment;
import io.losswatch.topology.Json;
import io.losswatch.topology.PredictionMetrics;
import io.losswatch.topology.WindowMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of CONTRACT §8 on Javalin: the dashboard at {@code /}, the JSON API under
 * {@code /api}, Prometheus metrics at {@code /metrics} and health at {@code /health/*}. It only
 * reads: what it shows comes from a {@link MetricsHistory}, {@link LosswatchMetrics} and the streams
 * state, so it can be tested with a history fed by hand and no Kafka.
 *
 * <p>Hardening (docs/reliability.md): only GET and HEAD, no request body, request line and
 * headers of at most {@link #MAX_HEADER_BYTES}; every refusal is a 4xx with a JSON body and never a
 * stack trace. With {@code losswatch.http.token} set, the data (API, /metrics, any other path) needs
 * {@code Authorization: Bearer <token>}; the health checks and the dashboard's page and scripts,
 * which hold no data, do not.
 */
public final class HttpServer implements AutoCloseable {
    static final Duration DEFAULT_RANGE = Duration.ofHours(6);
    /** Request line plus headers (Jetty's own default, made explicit): a longer URI gives 414, longer headers 431. */
    static final int MAX_HEADER_BYTES = 8 * 1024;
    /** Nothing here reads a request body; a larger declared one is refused with 413 before any other check. */
    static final int MAX_BODY_BYTES = 16 * 1024;
    private static final String REALM = "Bearer realm=\"losswatch\"";
    private static final int RECENT_ALERTS = 20;
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

    private final HttpSettings settings;
    private final MetricsHistory history;
    private final LosswatchMetrics metrics;
    private final Supplier<KafkaStreams.State> streamsState;
    private final BooleanSupplier historyCaughtUp;
    private final String indexHtml;
    private final BearerToken token;
    private final Javalin app;

    public HttpServer(HttpSettings settings, MetricsHistory history, LosswatchMetrics metrics,
                      Supplier<KafkaStreams.State> streamsState, BooleanSupplier historyCaughtUp) {
        this.settings = settings;
        this.history = history;
        this.metrics = metrics;
        this.streamsState = streamsState;
        this.historyCaughtUp = historyCaughtUp;
        this.indexHtml = indexHtml();
        this.token = settings.tokenRequired() ? new BearerToken(settings.token()) : null;
        this.app = Javalin.create(this::configure);
    }

    private void configure(JavalinConfig config) {
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.jetty.host = settings.bind();
        config.jetty.port = settings.port();
        config.jetty.threadPool = threadPool();
        config.jetty.modifyHttpConfiguration(http -> {
            http.setRequestHeaderSize(MAX_HEADER_BYTES);
            http.setSendServerVersion(false);
            // Jetty's per-connection header cache otherwise matches values ignoring case: after one request
            // with the right token, the same token in other capitals passed on that kept-alive connection
            http.setHeaderCacheCaseSensitive(true);
        });
        // what Jetty refuses before any route (too large, unparsable) is answered in JSON too
        config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler(MAX_HEADER_BYTES)));
        config.http.maxRequestSize = MAX_BODY_BYTES;
        config.jsonMapper(new JavalinJackson(Json.MAPPER, false));
        // the chart library from its WebJar, the page's own script and style from the classpath
        config.staticFiles.enableWebjars();
        config.staticFiles.add(files -> {
            files.hostedPath = "/assets";
            files.directory = "/dashboard";
            files.location = Location.CLASSPATH;
        });

        config.routes.before(this::guard);
        config.routes.get("/", ctx -> ctx.html(indexHtml));
        config.routes.before("/api/*", ctx -> ctx.header("Cache-Control", "no-store"));
        config.routes.get("/api/models", ctx -> ctx.json(history.models()));
        config.routes.get("/api/models/{model}/metrics", ctx -> ctx.json(modelRecords(ctx, history::windows)));
        config.routes.get("/api/models/{model}/predictions", ctx -> ctx.json(modelRecords(ctx, history::predictions)));
        config.routes.get("/api/alerts", this::alerts);
        config.routes.get("/api/overview", this::overview);
        config.routes.get("/metrics", ctx -> ctx.contentType(LosswatchMetrics.CONTENT_TYPE).result(metrics.scrape()));
        config.routes.get("/health/live", this::live);
        config.routes.get("/health/ready", this::ready);

        config.routes.exception(ApiError.class, (e, ctx) -> {
            e.headers.forEach(ctx::header);
            ctx.status(e.status).json(e.body());
        });
        // Javalin's own refusals (no such path, …), in the same JSON
        config.routes.exception(HttpResponseException.class, (e, ctx) -> {
            int status = e.getStatus();
            String message = status == 404 ? "no such path: " + ctx.path() + " (see the README for the routes)"
                    : e.getMessage();
            ctx.status(status).json(new ApiError(status, message).body());
        });
        config.routes.exception(Exception.class, (e, ctx) -> {
            LOG.warn("http: {} {} failed", ctx.method(), ctx.path(), e);
            ctx.status(500).json(new ApiError(500, "internal error: " + e.getClass().getSimpleName()).body());
        });
    }

    /** Starts listening; returns the port (the chosen one when the setting is 0). */
    public int start() {
        try {
            app.start();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot listen on " + settings.bind() + ":" + settings.port()
                    + " (" + HttpSettings.BIND + ", " + HttpSettings.PORT + "): " + rootMessage(e), e);
        }
        LOG.info("losswatch: dashboard on http://{}:{}/", settings.bind(), app.port());
        return app.port();
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    /**
     * Before every route: read-only methods, no body, and the bearer token where the data is. Runs
     * for unknown paths too, so without the token they are 401, not 404 (routes are not probed).
     */
    private void guard(Context ctx) {
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        long length = ctx.contentLength();
        boolean chunked = "chunked".equalsIgnoreCase(ctx.header("Transfer-Encoding"));
        if (length > MAX_BODY_BYTES) {
            throw new ApiError(413, "request body too large: this server takes no request body");
        }
        HandlerType method = ctx.method();
        if (method != HandlerType.GET && method != HandlerType.HEAD) {
            throw new ApiError(405, "method " + method + " not allowed: losswatch's HTTP side is read-only (GET, HEAD)")
                    .withHeader("Allow", "GET, HEAD");
        }
        if (length > 0 || chunked) {
            throw new ApiError(400, "a " + method + " request takes no body");
        }
        // the servlet layer drops a query parameter it cannot decode; a malformed one is an error, not absent
        String query = ctx.queryString();
        if (query != null && !decodable(query)) {
            throw new ApiError(400, "bad request: malformed percent-encoding in the query string");
        }
        if (token != null && !isPublic(ctx.path())) {
            switch (token.check(ctx.header("Authorization"))) {
                case VALID -> { }
                case MISSING -> throw new ApiError(401, "authentication required: send Authorization: Bearer <token> ("
                        + HttpSettings.TOKEN + ")").withHeader("WWW-Authenticate", REALM);
                case INVALID -> throw new ApiError(401, "invalid token")
                        .withHeader("WWW-Authenticate", REALM + ", error=\"invalid_token\"");
            }
        }
    }

    private static boolean decodable(String query) {
        try {
            URLDecoder.decode(query, StandardCharsets.UTF_8);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** What needs no token: the health checks, and the dashboard's page and scripts (no data in them). */
    static boolean isPublic(String path) {
        return path.equals("/") || path.equals("/health/live") || path.equals("/health/ready")
                || path.startsWith("/assets/") || path.startsWith("/webjars/");
    }

    /** A history query by model, version (null: all), segment (null: the whole model's) and window_start range. */
    private interface RecordQuery<T> {
        Optional<List<T>> find(String model, String version, Segment segment, long from, long to);
    }

    // GET /api/models/{model}/metrics?from=&to=&version=&segment= (CONTRACT §8, §11) and /predictions, the same for
    // §9's records; segment=field:value gives that segment's records instead of the whole model's
    private <T> List<T> modelRecords(Context ctx, RecordQuery<T> query) {
        String model = ctx.pathParam("model");
        long from = longParam(ctx, "from", Long.MIN_VALUE);
        long to = longParam(ctx, "to", Long.MAX_VALUE);
        if (from > to) {
            throw new ApiError(400, "from (" + from + ") is after to (" + to + ")");
        }
        String version = ctx.queryParam("version");
        String segmentParam = ctx.queryParam("segment");
        Segment segment = null;
        if (segmentParam != null) {
            try {
                segment = Segment.parse(segmentParam);
            } catch (IllegalArgumentException e) {
                throw new ApiError(400, "segment must be field:value (e.g. country:DE; country: for the missing value),"
                        + " got '" + segmentParam + "'");
            }
        }
        List<T> records = query.find(model, version, segment, from, to)
                .orElseThrow(() -> new ApiError(404, "unknown model '" + model + "'"));
        if (version != null && !history.knows(model, version)) {
            throw new ApiError(404, "unknown version '" + version + "' of model '" + model + "'");
        }
        if (segment != null && !history.knows(model, segment)) {
            throw new ApiError(404, "unknown segment '" + segmentParam + "' of model '" + model + "'");
        }
        return records;
    }

    // GET /api/alerts?model=&limit=
    private void alerts(Context ctx) {
        String model = ctx.queryParam("model");
        long limit = longParam(ctx, "limit", Long.MAX_VALUE);
        if (limit < 1) {
            throw new ApiError(400, "limit must be at least 1, got " + limit);
        }
        List<AlertEntry> alerts = history.alerts(model);
        ctx.json(alerts.size() > limit ? alerts.subList(0, (int) limit) : alerts);
    }

    // GET /api/overview?range=PT6H|all: what the dashboard draws, in one request
    private void overview(Context ctx) {
        String rangeParam = ctx.queryParamAsClass("range", String.class).getOrDefault(DEFAULT_RANGE.toString());
        Long latestEnd = history.latestWindowEnd().isPresent() ? history.latestWindowEnd().getAsLong() : null;
        long from = Long.MIN_VALUE;
        if (!"all".equals(rangeParam)) {
            Duration range;
            try {
                range = Duration.parse(rangeParam);
            } catch (DateTimeParseException e) {
                throw new ApiError(400, "range must be an ISO-8601 duration such as PT6H, or all; got '" + rangeParam + "'");
            }
            if (range.isNegative() || range.isZero()) {
                throw new ApiError(400, "range must be positive, got " + rangeParam);
            }
            if (latestEnd != null) {
                from = latestEnd - range.toMillis();
            }
        }
        List<Map<String, Object>> models = new ArrayList<>();
        for (MetricsHistory.ModelView m : history.models()) {
            List<Map<String, Object>> versions = new ArrayList<>();
            for (MetricsHistory.VersionView v : m.versions()) {
                List<Object[]> points = new ArrayList<>();
                for (WindowMetrics w : history.windows(m.model(), v.modelVersion(), from, Long.MAX_VALUE).orElse(List.of())) {
                    points.add(new Object[] {w.windowStart(), w.windowEnd(), w.count(), w.meanLoss(), w.estimatedLoss()});
                }
                List<Object[]> estimates = new ArrayList<>();
                for (PredictionMetrics p : history.predictions(m.model(), v.modelVersion(), from, Long.MAX_VALUE).orElse(List.of())) {
                    estimates.add(new Object[] {p.windowStart(), p.windowEnd(), p.predictions(), p.estimatedLoss(),
                        p.estimatedLossLow(), p.estimatedLossHigh(), p.psi()});
                }
                Map<String, Object> version = new LinkedHashMap<>();
                version.put("model_version", v.modelVersion());
                version.put("firing", v.firing());
                version.put("firing_rules", v.firingRules());
                version.put("final_window_pending", v.finalWindowPending());
                version.put("windows_awaiting_labels", v.windowsAwaitingLabels());
                version.put("latest", v.latest());
                version.put("latest_predictions", v.latestPredictions());
                // [window_start, window_end, count, mean_loss, estimated_loss]
                version.put("windows", points);
                // [window_start, window_end, predictions, estimated_loss, estimated_loss_low, estimated_loss_high, psi]
                version.put("predictions", estimates);
                version.put("segments", segments(v.segments()));
                versions.add(version);
            }
            final long since = from;
            Map<String, Object> model = new LinkedHashMap<>();
            model.put("model", m.model());
            model.put("firing", m.firing());
            model.put("final_window_pending", m.finalWindowPending());
            model.put("dead_letters", m.deadLetters());
            model.put("versions", versions);
            model.put("alerts", history.alerts(m.model()).stream().filter(a -> a.windowEnd() >= since).toList());
            models.add(model);
        }
        List<AlertEntry> alerts = history.alerts(null);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("generated_at", System.currentTimeMillis());
        body.put("streams_state", streamsState.get().name());
        body.put("history_caught_up", historyCaughtUp.getAsBoolean());
        body.put("history_windows", settings.historyWindows());
        body.put("refresh_ms", settings.refresh().toMillis());
        body.put("range", rangeParam);
        body.put("latest_window_end", latestEnd);
        body.put("models", models);
        body.put("dead_letters", history.deadLetters());
        body.put("recent_alerts", alerts.size() > RECENT_ALERTS ? alerts.subList(0, RECENT_ALERTS) : alerts);
        ctx.json(body);
    }

    /**
     * A version's segments for the dashboard (CONTRACT §11), worst first: by the latest final window's mean
     * loss, highest first, those without one last (then by field and value).
     */
    static List<Map<String, Object>> segments(List<MetricsHistory.SegmentView> views) {
        List<MetricsHistory.SegmentView> sorted = new ArrayList<>(views);
        sorted.sort(java.util.Comparator.comparing((MetricsHistory.SegmentView v) -> v.latestMeanLoss() == null)
                .thenComparing(v -> v.latestMeanLoss() == null ? 0.0 : -v.latestMeanLoss()));
        List<Map<String, Object>> out = new ArrayList<>();
        for (MetricsHistory.SegmentView v : sorted) {
            Map<String, Object> segment = new LinkedHashMap<>();
            segment.put("segment", v.segment());
            segment.put("field", v.segment().field());
            segment.put("value", v.segment().value());
            segment.put("firing", v.firing());
            segment.put("firing_rules", v.firingRules());
            segment.put("windows", v.windows());
            segment.put("latest", v.latest());
            segment.put("latest_predictions", v.latestPredictions());
            out.add(segment);
        }
        return out;
    }

    // a stream thread that died for good means this process will not recover by itself
    private void live(Context ctx) {
        KafkaStreams.State state = streamsState.get();
        boolean failed = state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR;
        health(ctx, !failed, state);
    }

    private void ready(Context ctx) {
        KafkaStreams.State state = streamsState.get();
        health(ctx, state == KafkaStreams.State.RUNNING, state);
    }

    private void health(Context ctx, boolean up, KafkaStreams.State state) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("streams_state", state.name());
        body.put("history_caught_up", historyCaughtUp.getAsBoolean());
        ctx.header("Cache-Control", "no-store").status(up ? 200 : 503).json(body);
    }

    private static long longParam(Context ctx, String name, long fallback) {
        String v = ctx.queryParam(name);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new ApiError(400, name + " must be a whole number (epoch milliseconds for from/to), got '" + v + "'");
        }
    }

    private static QueuedThreadPool threadPool() {
        QueuedThreadPool pool = new QueuedThreadPool(16, 2);
        pool.setName("losswatch-http");
        return pool;
    }

    /** The dashboard page, pointing at the uPlot files of the WebJar on the classpath. */
    private static String indexHtml() {
        String uplot = "/webjars/uplot/" + webjarVersion("uplot") + "/dist/";
        return resource("/dashboard/index.html")
                .replace("{{uplot.js}}", uplot + "uPlot.iife.min.js")
                .replace("{{uplot.css}}", uplot + "uPlot.min.css");
    }

    static String webjarVersion(String name) {
        String path = "/META-INF/maven/org.webjars.npm/" + name + "/pom.properties";
        try (InputStream in = HttpServer.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("WebJar " + name + " is not on the classpath (" + path + ")");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String resource(String path) {
        try (InputStream in = HttpServer.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** An API error: its status and a JSON body {@code {"status": …, "error": "…"}}. */
    static final class ApiError extends RuntimeException {
        final int status;
        final Map<String, String> headers = new LinkedHashMap<>();

        ApiError(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }

        ApiError withHeader(String name, String value) {
            headers.put(name, value);
            return this;
        }

        Map<String, Object> body() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", status);
            body.put("error", getMessage());
            return body;
        }
    }
}
