package captiva.common.http;

import static captiva.testing.Fixtures.session;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Http;
import captiva.testing.RawHttp;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The edges of HTTP itself, before any controller: framing, header limits, timeouts, content
 * codings and origins. Requests that a client library would normalise go over a raw socket.
 */
@MicronautTest(transactional = false)
@DisplayName("HTTP edges")
class HttpEdgesTest extends ApiTest {

    private static final Set<String> STANDARD_CODINGS = Set.of("gzip", "deflate", "br", "zstd");

    /** Words of the framework and of Java that must never reach a client. */
    private static final List<String> INTERNALS =
            List.of(
                    "Error decoding",
                    "No enum constant",
                    "captiva.",
                    "java.",
                    "io.micronaut",
                    "Exception",
                    "[Long",
                    "HealthCheckType");

    private Key read;
    private Key ingest;
    private Location venue;

    @Override
    protected Map<String, String> extraProperties() {
        return Map.of("captiva.http.header-timeout", "1s");
    }

    @BeforeAll
    void aVenueWithEnoughSessionsToCompress() {
        venue = given().location(given().tenant());
        read = given().readKey(venue.tenant());
        ingest = given().key(venue.tenant(), List.of("ingest"), null, 100_000);
        given().sessions(
                        IntStream.range(0, 20)
                                .mapToObj(i -> session(venue).ip("10.1.0." + i))
                                .toArray(Fixtures.SessionSpec[]::new));
    }

    private RawHttp raw() {
        return new RawHttp(server.getHost(), server.getPort());
    }

    private String rawGet(String target, String... extraHeaderLines) {
        return "GET "
                + target
                + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + read.key()
                + "\r\n"
                + String.join("", List.of(extraHeaderLines).stream().map(h -> h + "\r\n").toList())
                + "Connection: close\r\n\r\n";
    }

    @Nested
    @DisplayName("content codings")
    class ContentCodings {

        @Test
        void anyCodingGetsAStandardOne() {
            Http.Response r =
                    http().get(
                                    "/sessions?per_page=100",
                                    "Authorization",
                                    read.auth()[1],
                                    "Accept-Encoding",
                                    "*");

            assertEquals(200, r.status());
            String coding = r.header("Content-Encoding").orElse("identity");
            assertTrue(
                    STANDARD_CODINGS.contains(coding),
                    "Accept-Encoding: * answered with " + coding);
        }

        @Test
        void snappyAloneIsAnsweredUncompressed() {
            Http.Response r =
                    http().get(
                                    "/sessions?per_page=100",
                                    "Authorization",
                                    read.auth()[1],
                                    "Accept-Encoding",
                                    "snappy");

            assertEquals(200, r.status());
            assertTrue(
                    r.header("Content-Encoding").isEmpty(),
                    "answered with " + r.header("Content-Encoding"));
            assertEquals(20, r.json().get("data").size());
        }

        @Test
        void snappyPreferredOverGzipGetsGzip() {
            Http.Response r =
                    http().get(
                                    "/sessions?per_page=100",
                                    "Authorization",
                                    read.auth()[1],
                                    "Accept-Encoding",
                                    "snappy;q=1, gzip;q=0.5");

            assertEquals("gzip", r.header("Content-Encoding").orElse("identity"));
        }

        @Test
        void gzipIsStillServed() {
            Http.Response r =
                    http().get(
                                    "/sessions?per_page=100",
                                    "Authorization",
                                    read.auth()[1],
                                    "Accept-Encoding",
                                    "gzip");

            assertEquals("gzip", r.header("Content-Encoding").orElse("identity"));
        }
    }

    @Nested
    @DisplayName("framing and limits")
    class Framing {

        @Test
        void contentLengthWithTransferEncodingIsRefused() {
            String body = "{\"location_id\":\"" + venue.id() + "\",\"username\":\"ana\"}";
            String request =
                    "POST /ingest/logins HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                            + ingest.key()
                            + "\r\n"
                            + "Content-Type: application/json\r\nContent-Length: "
                            + body.length()
                            + "\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + Integer.toHexString(body.length())
                            + "\r\n"
                            + body
                            + "\r\n0\r\n\r\n";

            Http.Response r = raw().send(request);

            assertProblem(r, 400);
            assertTrue(r.json().get("detail").asText().contains("Transfer-Encoding"), r.body());
            assertEquals(
                    "close",
                    r.header("Connection").orElse(""),
                    "the connection cannot be reused after a framing conflict");
        }

        @Test
        void anOverlongHeaderIs431() {
            Http.Response r = raw().send(rawGet("/sessions", "X-Padding: " + "k".repeat(20_000)));

            assertProblem(r, 431);
            assertEquals(
                    java.net.http.HttpClient.Version.HTTP_1_1,
                    r.raw().version(),
                    "answered as HTTP/1.0");
        }

        @Test
        void anOverlongUriIs414() {
            Http.Response r = raw().send(rawGet("/sessions?yas_id=" + "a".repeat(20_000)));

            assertProblem(r, 414);
            assertEquals(
                    java.net.http.HttpClient.Version.HTTP_1_1,
                    r.raw().version(),
                    "answered as HTTP/1.0");
        }

        @Test
        void aHeadSentTooSlowlyIsCut() throws IOException {
            try (Socket socket = raw().open()) {
                socket.getOutputStream()
                        .write(
                                "GET /sessions HTTP/1.1\r\nHost: localhost\r\n"
                                        .getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();

                // The server must answer and close well before the socket's own 10 s read timeout.
                Http.Response r = RawHttp.parse(RawHttp.readToEnd(socket));

                assertProblem(r, 408);
            }
        }

        @Test
        void aConnectionThatSendsNothingIsAnswered408AndClosed() throws IOException {
            try (Socket socket = raw().open()) {
                assertProblem(RawHttp.parse(RawHttp.readToEnd(socket)), 408);
            }
        }

        @Test
        void aKeptAliveConnectionServesASecondRequest() throws IOException {
            try (Socket socket = raw().open()) {
                String first =
                        "GET /sessions/count HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                                + read.key()
                                + "\r\n\r\n";
                socket.getOutputStream()
                        .write(
                                (first + rawGet("/sessions/count"))
                                        .getBytes(StandardCharsets.ISO_8859_1));

                String answers = RawHttp.readToEnd(socket);

                assertEquals(2, answers.split("HTTP/1.1 200 OK", -1).length - 1, answers);
            }
        }
    }

    @Nested
    @DisplayName("origins")
    class Origins {

        @Test
        void aCrossOriginRequestIsRefusedWithAProblem() {
            Http.Response r =
                    http().get(
                                    "/sessions/count",
                                    "Authorization",
                                    read.auth()[1],
                                    "Origin",
                                    "https://evil.example");

            assertProblem(r, 403);
            assertTrue(r.json().get("detail").asText().contains("https://evil.example"), r.body());
        }

        @Test
        void aCrossOriginPreflightIsRefusedWithAProblem() {
            Http.Response r =
                    http().send(
                                    java.net.http.HttpRequest.newBuilder(
                                                    http().uri("/sessions/count"))
                                            .method(
                                                    "OPTIONS",
                                                    java.net.http.HttpRequest.BodyPublishers
                                                            .noBody()),
                                    "Origin",
                                    "https://evil.example",
                                    "Access-Control-Request-Method",
                                    "GET");

            assertProblem(r, 403);
        }

        @Test
        void aSameOriginRequestIsServed() {
            Http.Response r = raw().send(rawGet("/sessions/count", "Origin: http://localhost"));

            assertEquals(200, r.status(), r.body());
        }
    }

    @Nested
    @DisplayName("bad input in the API's own words")
    class OwnWords {

        @Test
        void aNumberFieldGivenTextNamesTheField() {
            Map<String, Object> record =
                    Map.of(
                            "nas_id",
                            "x",
                            "acct_status_type",
                            "Start",
                            "acct_session_id",
                            "s1",
                            "acct_input_octets",
                            "many");

            Http.Response r = http().post("/ingest/accounting", List.of(record), ingest.auth());

            assertProblem(r, 400);
            JsonNode errors = r.json().get("errors");
            assertNotNull(errors, r.body());
            assertTrue(errors.toString().contains("acct_input_octets"), r.body());
        }

        @Test
        void anUnknownHealthSelectorSaysWhichExist() {
            Http.Response r = http().get("/health/%3Cscript%3E");

            assertTrue(r.status() == 400 || r.status() == 404, r.status() + " " + r.body());
            assertProblemShape(r);
        }

        @ParameterizedTest
        @ValueSource(strings = {"per_page=abc", "page=-1", "online=maybe", "last_session_first=2"})
        void aBadReadParameterIsNamedInErrors(String query) {
            Http.Response r = http().get("/sessions?" + query, read.auth());

            assertProblem(r, 400);
            assertTrue(r.json().get("errors").toString().contains(query.split("=")[0]), r.body());
        }
    }

    private static void assertProblem(Http.Response r, int status) {
        assertEquals(status, r.status(), r.body());
        assertProblemShape(r);
    }

    private static void assertProblemShape(Http.Response r) {
        assertTrue(
                r.contentType().startsWith("application/problem+json"),
                r.status() + " " + r.contentType() + " " + r.body());
        assertEquals(r.status(), r.json().get("status").asInt(), r.body());
        for (String internal : INTERNALS) {
            assertFalse(r.body().contains(internal), "leaks '" + internal + "': " + r.body());
        }
    }
}
