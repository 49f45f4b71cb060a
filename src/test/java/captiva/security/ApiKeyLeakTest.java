package captiva.security;

import static captiva.testing.Fixtures.session;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.read.ListAppender;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * API keys are secrets: whatever is done with one (used, mistyped, revoked, over its limit, without
 * the scope), neither the logs, nor an error body, nor the metrics ever show it. Only the key's
 * first characters ({@code cpk_} and four more, the admin listing's hint) may appear, so what is
 * checked is everything after them.
 */
@MicronautTest(transactional = false)
@DisplayName("API keys never leak")
class ApiKeyLeakTest extends ApiTest {

    private Key read;
    private Key slow;
    private Key ingestOnly;
    private Key revoked;
    private Location location;

    @BeforeAll
    void keys() {
        Tenant tenant = given().tenant();
        location = given().location(tenant);
        given().session(session(location).ip("10.7.7.7"));
        read = given().readKey(tenant);
        slow = given().key(tenant, List.of("sessions:read"), null, 1);
        ingestOnly = given().key(tenant, List.of("ingest"), null, 100_000);
        revoked = given().readKey(tenant);
        assertEquals(
                204,
                http().delete(
                                "/admin/tenants/" + tenant.id() + "/api-keys/" + revoked.id(),
                                Fixtures.admin())
                        .status());
    }

    /** Every way a key is used or misused, each answer handed to {@code answers}. */
    private void useKeysEveryWay(Consumer<Http.Response> answers) {
        String wrong =
                read.key().substring(0, read.key().length() - 1)
                        + (read.key().endsWith("A") ? "B" : "A");
        for (Key key : List.of(read, slow, ingestOnly, revoked)) {
            answers.accept(http().get("/sessions", key.auth()));
            answers.accept(http().get("/sessions/count", "X-API-Key", key.key()));
            answers.accept(http().get("/sessions/10.7.7.7", key.auth()));
            answers.accept(
                    http().post(
                                    "/ingest/logins",
                                    Map.of("location_id", location.id(), "username", "x"),
                                    key.auth()));
            answers.accept(
                    http().get("/sessions?yas_id=%e9", key.auth())); // a 400 while authenticated
            answers.accept(http().get("/sessions", "Authorization", "Bearer " + key.key() + "x"));
            answers.accept(http().get("/sessions", "Authorization", "Basic " + key.key()));
            answers.accept(
                    http().get("/admin/tenants", key.auth())); // a key is not the admin token
        }
        answers.accept(http().get("/sessions", "Authorization", "Bearer " + wrong));
        answers.accept(http().get("/sessions", "X-API-Key", wrong));
        answers.accept(
                http().get(
                                "/sessions",
                                "X-API-Key",
                                read.key(),
                                "Authorization",
                                "Bearer " + wrong));
    }

    private List<String> secrets() {
        List<String> secrets = new ArrayList<>();
        for (Key key : List.of(read, slow, ingestOnly, revoked)) {
            secrets.add(key.key().substring(8));
        }
        secrets.add(ADMIN_TOKEN);
        return secrets;
    }

    @Test
    void keysNeverAppearInLogsEvenAtDebugLevel() {
        LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = logback.getLogger(Logger.ROOT_LOGGER_NAME);
        Level rootLevel = root.getLevel();
        Logger captiva = logback.getLogger("captiva");
        Level captivaLevel = captiva.getLevel();
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.setContext(logback);
        captured.start();
        // The console would drown in DEBUG; it is detached while the list captures everything.
        List<Appender<ILoggingEvent>> console = new ArrayList<>();
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            console.add(it.next());
        }
        console.forEach(root::detachAppender);
        root.addAppender(captured);
        root.setLevel(Level.DEBUG);
        captiva.setLevel(Level.TRACE);
        try {
            useKeysEveryWay(r -> {});
        } finally {
            root.detachAppender(captured);
            console.forEach(root::addAppender);
            root.setLevel(rootLevel);
            captiva.setLevel(captivaLevel);
        }

        assertFalse(captured.list.isEmpty(), "nothing was logged: the capture is not working");
        for (ILoggingEvent event : captured.list) {
            String text =
                    event.getLoggerName()
                            + " "
                            + event.getFormattedMessage()
                            + " "
                            + event.getMDCPropertyMap()
                            + throwable(event.getThrowableProxy());
            for (String secret : secrets()) {
                assertFalse(text.contains(secret), "a key in the log: " + text);
            }
        }
    }

    /**
     * Not in the log test: a key a client puts in a URL is logged with the URL (Micronaut logs the
     * request line at DEBUG, as proxies do), which is why keys are only accepted in headers.
     */
    @Test
    void aKeyInTheQueryIsNotAcceptedNorEchoed() {
        Http.Response r = http().get("/sessions?api_key=" + read.key());
        assertEquals(401, r.status(), r.body());
        assertFalse(r.body().contains(read.key().substring(8)), r.body());
    }

    @Test
    void keysNeverAppearInAnswers() {
        useKeysEveryWay(
                r -> {
                    for (String secret : secrets()) {
                        assertFalse(
                                r.body().contains(secret),
                                "a key in a " + r.status() + " body: " + r.body());
                        r.raw()
                                .headers()
                                .map()
                                .forEach(
                                        (name, values) ->
                                                assertFalse(
                                                        values.toString().contains(secret),
                                                        "a key in header " + name + ": " + values));
                    }
                });
    }

    @Test
    void keysNeverAppearInMetrics() {
        useKeysEveryWay(r -> {});
        Http.Response scrape = http().get("/prometheus");
        assertEquals(200, scrape.status());
        assertTrue(
                scrape.body().contains("http_server_requests_seconds_count"),
                "not the scrape expected");
        for (String secret : secrets()) {
            assertFalse(scrape.body().contains(secret), "a key in the metrics");
        }
    }

    private static String throwable(IThrowableProxy proxy) {
        StringBuilder text = new StringBuilder();
        for (IThrowableProxy p = proxy; p != null; p = p.getCause()) {
            text.append(' ').append(p.getClassName()).append(": ").append(p.getMessage());
        }
        return text.toString();
    }
}
