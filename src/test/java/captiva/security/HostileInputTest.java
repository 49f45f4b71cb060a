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
import captiva.testing.RawHttp;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile HTTP input: whatever a client sends, the answer is a clear 4xx problem (or an ordinary
 * answer where the input is merely odd), never a 500 and never a stack trace or SQL in the body.
 * Requests that java.net.http refuses to send go over a raw socket.
 */
@MicronautTest(transactional = false)
@DisplayName("hostile HTTP input")
class HostileInputTest extends ApiTest {

    private static final List<String> SQL =
            List.of(
                    "' OR '1'='1",
                    "1; DROP TABLE session; --",
                    "%",
                    "_",
                    "\\",
                    "\"",
                    "') OR true --",
                    "$$",
                    "::inet",
                    "*/ SELECT pg_sleep(5) /*");
    private static final List<String> READ_PARAMETERS =
            List.of(
                    "guest_id",
                    "location_id",
                    "guest_device_mac",
                    "start_time",
                    "end_time",
                    "yas_id",
                    "online",
                    "page",
                    "per_page",
                    "last_session_first");
    private static final List<String> GUEST_PARAMETERS =
            List.of(
                    "username",
                    "email",
                    "yas_id",
                    "location_id",
                    "last_seen_from",
                    "last_seen_to",
                    "online",
                    "page",
                    "per_page");

    /** What must never be in a body: traces, exception names, SQL engine messages. */
    private static final List<String> LEAKS =
            List.of(
                    "Exception",
                    "\tat ",
                    "at captiva.",
                    "at io.micronaut",
                    "org.postgresql",
                    "PSQLException",
                    "SQLSTATE",
                    "syntax error",
                    "java.lang");

    private Key read;
    private Key ingest;
    private Location location;

    /** Every request here may export: the one-a-minute limit has tests of its own. */
    @Override
    protected Map<String, String> extraProperties() {
        return Map.of("captiva.rate-limit.export-per-minute", "100000");
    }

    @BeforeAll
    void venue() {
        Tenant tenant = given().tenant();
        location = given().location(tenant);
        read = given().readKey(tenant);
        ingest = given().key(tenant, List.of("ingest"), null, 100_000);
        given().session(
                        session(location)
                                .ip("10.9.9.9")
                                .guest("Ana", "ana@example.org", "yas-ana"));
    }

    // ------------------------------------------------------------------ query parameters

    @Test
    void sqlMetacharactersInEveryReadParameterGiveProblemsOrEmptyAnswers() {
        for (String endpoint : List.of("/sessions", "/sessions/count")) {
            for (String name : READ_PARAMETERS) {
                for (String value : SQL) {
                    Http.Response r =
                            http().get(endpoint + "?" + name + "=" + enc(value), read.auth());
                    assertClear(r, endpoint + " " + name + "=" + value);
                    if (r.status() == 200 && endpoint.equals("/sessions")) {
                        assertEquals(
                                0,
                                r.json().get("data").size(),
                                name + "=" + value + " matched sessions");
                    }
                }
            }
        }
    }

    @Test
    void sqlMetacharactersInEveryGuestAndLocationParameterGiveProblemsOrEmptyAnswers() {
        for (String endpoint :
                List.of("/guests", "/guests/count", "/locations", "/locations/count")) {
            for (String name : GUEST_PARAMETERS) {
                for (String value : SQL) {
                    Http.Response r =
                            http().get(endpoint + "?" + name + "=" + enc(value), read.auth());
                    assertClear(r, endpoint + " " + name + "=" + value);
                    if (r.status() == 200
                            && endpoint.equals("/guests")
                            && List.of("username", "email", "yas_id").contains(name)) {
                        // Only a guest who really has that value (another test may store one) may
                        // match: never a wildcard.
                        r.json()
                                .get("data")
                                .forEach(
                                        g ->
                                                assertTrue(
                                                        value.equalsIgnoreCase(
                                                                g.get(name).asText()),
                                                        name + "=" + value + " matched " + g));
                    }
                }
            }
        }
    }

    @Test
    void sqlMetacharactersInStatisticsAndExportParametersGiveProblemsOrEmptyAnswers() {
        List<String> names = new ArrayList<>(READ_PARAMETERS);
        names.add("group_by");
        String[] ndjson = {read.auth()[0], read.auth()[1], "Accept", "application/x-ndjson"};
        for (String name : names) {
            for (String value : SQL) {
                String query = "?" + name + "=" + enc(value);
                Http.Response statistics = http().get("/sessions/statistics" + query, read.auth());
                assertClear(statistics, "/sessions/statistics " + name + "=" + value);
                if (statistics.status() == 200) {
                    assertEquals(
                            0,
                            statistics.json().get("total").get("sessions").asLong(),
                            name + "=" + value + " matched sessions");
                }
                if (name.equals("group_by")) {
                    continue; // not a parameter of the export, which ignores it as GET /sessions
                    // does
                }
                Http.Response export = http().get("/sessions/export" + query, ndjson);
                assertClear(export, "/sessions/export " + name + "=" + value);
                if (export.status() == 200) {
                    assertEquals("", export.body(), name + "=" + value + " exported sessions");
                }
            }
        }
    }

    @Test
    void sqlMetacharactersInIpLookupParametersGiveProblems() {
        for (String value : SQL) {
            assertClearError(http().get("/sessions/" + enc(value), read.auth()), "ip " + value);
            assertClearError(
                    http().get("/sessions/10.9.9.9?location_id=" + enc(value), read.auth()),
                    "location_id " + value);
            assertClearError(
                    http().get("/sessions/10.9.9.9?at=" + enc(value), read.auth()), "at " + value);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "guest_id",
                "location_id",
                "guest_device_mac",
                "start_time",
                "end_time",
                "yas_id",
                "online",
                "page",
                "per_page",
                "last_session_first"
            })
    void aTenThousandCharacterParameterIsAProblem(String name) {
        String value = "a".repeat(10_000);
        assertClearError(http().get("/sessions?" + name + "=" + value, read.auth()), name);
        assertClearError(http().get("/sessions/count?" + name + "=" + value, read.auth()), name);
    }

    @Test
    void aTenThousandCharacterIpListIsAProblem() {
        assertClearError(http().get("/sessions/" + "1".repeat(10_000), read.auth()), "long ip");
        assertClearError(
                http().get("/sessions/" + "10.0.0.1,".repeat(1_000) + "10.0.0.2", read.auth()),
                "1001 ips");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "guest_id",
                "location_id",
                "guest_device_mac",
                "start_time",
                "end_time",
                "yas_id",
                "online",
                "page",
                "per_page",
                "last_session_first"
            })
    void aRepeatedParameterIsAProblem(String name) {
        Http.Response r = http().get("/sessions?" + name + "=1&" + name + "=2", read.auth());
        assertEquals(400, r.status(), r.body());
        assertClearError(r, name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"%", "%zz", "%4", "%e9", "%c3%28", "%ff%fe", "%ed%a0%80", "%c0%af"})
    void badPercentEncodingInTheQueryIsAProblem(String escape) {
        assertClearError(rawGet("/sessions?yas_id=" + escape), "yas_id=" + escape);
        assertClearError(rawGet("/sessions/10.9.9.9?at=" + escape), "at=" + escape);
    }

    @ParameterizedTest
    @ValueSource(strings = {"%", "%zz", "%e9", "%c3%28", "%00"})
    void badPercentEncodingInThePathIsAProblem(String escape) {
        assertClearError(rawGet("/sessions/10.9.9.9" + escape), "path " + escape);
    }

    /**
     * Unescaped bytes above 0x7F are not legal in a request target; the server reads them as
     * ISO-8859-1 rather than refusing them, so they can only ever match text that is just as odd.
     */
    @Test
    void rawNonAsciiBytesInTheQueryMatchNothingAndNeverFail() {
        byte[] request =
                concat(
                        "GET /sessions?yas_id=",
                        new byte[] {(byte) 0xc3, (byte) 0x28, (byte) 0xff},
                        " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                                + read.key()
                                + "\r\nConnection: close\r\n\r\n");
        Http.Response r = raw(request);
        assertClear(r, "raw invalid UTF-8");
        assertTrue(r.status() >= 400 || r.json().get("data").isEmpty(), r.body());
    }

    @Test
    void aNulInAParameterIsAProblem() {
        Http.Response r = http().get("/sessions?yas_id=yas-ana%00", read.auth());
        assertEquals(400, r.status(), r.body());
        assertClearError(r, "NUL");
    }

    // ------------------------------------------------------------------ bodies

    @Test
    void sqlMetacharactersInEveryLoginFieldAreStoredAsTextOrRefused() {
        for (String field :
                List.of(
                        "username",
                        "guest_device_mac",
                        "guest_device_description",
                        "login_type_name",
                        "service_profile_name",
                        "access_code",
                        "login_time",
                        "location_id")) {
            for (String value : SQL) {
                Map<String, Object> login = login();
                login.put(field, value);
                assertClear(
                        http().post("/ingest/logins", login, ingest.auth()), field + "=" + value);
            }
        }
        for (String field : List.of("name", "email", "yas_id")) {
            for (String value : SQL) {
                Map<String, Object> login = login();
                login.put("guest", Map.of(field, value));
                assertClear(
                        http().post("/ingest/logins", login, ingest.auth()),
                        "guest." + field + "=" + value);
            }
        }
    }

    @Test
    void sqlMetacharactersInAdminBodiesAreStoredAsTextOrRefused() {
        for (String value : SQL) {
            assertClear(
                    http().post(
                                    "/admin/tenants",
                                    Map.of("name", value, "time_zone", "UTC"),
                                    Fixtures.admin()),
                    "tenant " + value);
            assertClear(
                    http().post(
                                    "/admin/tenants",
                                    Map.of("name", "t", "time_zone", value),
                                    Fixtures.admin()),
                    "zone " + value);
        }
    }

    @Test
    void aNulInABodyFieldIsAProblem() {
        Map<String, Object> login = login();
        login.put("username", "ana\u0000");
        Http.Response r = http().post("/ingest/logins", login, ingest.auth());
        assertClearError(r, "NUL in body");
    }

    @Test
    void invalidUtf8InABodyIsAProblem() {
        byte[] body =
                concat(
                        "{\"location_id\":\"" + location.id() + "\",\"username\":\"",
                        new byte[] {(byte) 0xc3, (byte) 0x28},
                        "\",\"guest_device_mac\":\"02:00:00:00:00:09\"}");
        Http.Response r =
                http().send(
                                HttpRequest.newBuilder(http().uri("/ingest/logins"))
                                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                        .header("Content-Type", "application/json"),
                                ingest.auth());
        assertClearError(r, "invalid UTF-8 body");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{",
                "[",
                "{\"username\":",
                "null",
                "42",
                "\"text\"",
                "[[[[[[[[[[]]]]]]]]]]",
                "{\"a\":1}{"
            })
    void malformedJsonIsAProblem(String body) {
        assertClearError(http().post("/ingest/logins", body, ingest.auth()), body);
        assertClearError(http().post("/ingest/accounting", body, ingest.auth()), body);
    }

    @Test
    void deeplyNestedJsonIsAProblem() {
        String body = "[".repeat(5_000) + "]".repeat(5_000);
        assertClearError(http().post("/ingest/logins", body, ingest.auth()), "nested");
    }

    @Test
    void aBodyOverTwoMebibytesIs413() {
        String body = "[" + ("{\"username\":\"" + "x".repeat(1000) + "\"},").repeat(2_200) + "{}]";
        Http.Response r = http().post("/ingest/logins", body, ingest.auth());
        assertEquals(413, r.status(), r.body());
        assertClearError(r, "huge body");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "text/plain",
                "application/xml",
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x"
            })
    void aWrongContentTypeIs415(String contentType) {
        for (String path : List.of("/ingest/logins", "/ingest/accounting")) {
            Http.Response r =
                    http().send(
                                    HttpRequest.newBuilder(http().uri(path))
                                            .POST(HttpRequest.BodyPublishers.ofString("[{}]"))
                                            .header("Content-Type", contentType),
                                    ingest.auth());
            assertEquals(415, r.status(), path + " " + contentType + ": " + r.body());
            assertClearError(r, contentType);
        }
    }

    // ------------------------------------------------------------------ paths

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/sessions/..%2Fadmin%2Ftenants",
                "/sessions/%2e%2e/admin/tenants",
                "/sessions/..%2f..%2fadmin",
                "/sessions/%2F%2F",
                "/admin%2Ftenants",
                "/sessions/..;/admin/tenants",
                "/nope",
                "/sessions/count/extra",
                "/SESSIONS",
                "/sessions/10.0.0.1/extra",
                "/.env",
                "/admin/tenants/%00",
                "/admin/tenants/..%2F..%2Fsessions"
            })
    void pathTricksAreProblemsAndNeverReachAdmin(String path) {
        assertClearError(rawGet(path), path);
    }

    @Test
    void aDoubleSlashIsNotAWayAroundTheKey() {
        Http.Response r =
                raw(
                        ("GET //sessions HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1));
        assertClearError(r, "//sessions without a key");
        Http.Response admin =
                raw(
                        ("GET //admin/tenants HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                                        + read.key()
                                        + "\r\nConnection: close\r\n\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1));
        assertClearError(admin, "//admin/tenants with a read key");
    }

    @Test
    void aTwentyKilobyteHeaderIsAProblem() {
        Http.Response r =
                raw(
                        ("GET /sessions HTTP/1.1\r\nHost: localhost\r\nX-API-Key: "
                                        + "k".repeat(20_000)
                                        + "\r\nConnection: close\r\n\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1));
        assertClearError(r, "long header");
    }

    @Test
    void aWrongMethodIsAProblem() {
        Http.Response r = http().delete("/sessions", read.auth());
        assertClearError(r, "DELETE /sessions");
    }

    // ------------------------------------------------------------------ helpers

    private Map<String, Object> login() {
        Map<String, Object> login = new LinkedHashMap<>();
        login.put("location_id", location.id());
        login.put("username", "ana");
        login.put("guest_device_mac", "02:00:00:00:00:09");
        return login;
    }

    /** Any status but 5xx; an error is a problem document; no body leaks internals. */
    private static void assertClear(Http.Response r, String what) {
        assertTrue(r.status() < 500, what + ": " + r.status() + " " + r.body());
        if (r.status() >= 400) {
            assertTrue(
                    r.contentType().startsWith("application/problem+json"),
                    what + ": " + r.status() + " " + r.contentType() + " " + r.body());
            JsonNode problem = r.json();
            assertEquals(r.status(), problem.get("status").asInt(), what + ": " + r.body());
            assertTrue(problem.hasNonNull("title"), what + ": " + r.body());
        }
        for (String leak : LEAKS) {
            assertFalse(r.body().contains(leak), what + ": body leaks '" + leak + "': " + r.body());
        }
    }

    /** A 4xx problem: the input was refused, clearly. */
    private static void assertClearError(Http.Response r, String what) {
        assertTrue(
                r.status() >= 400 && r.status() < 500,
                what + ": expected a 4xx, got " + r.status() + " " + r.body());
        assertClear(r, what);
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static byte[] concat(String head, byte[] middle, String tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(middle);
        out.writeBytes(tail.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /**
     * A GET with the read key, the target sent byte for byte (java.net.http refuses malformed
     * escapes).
     */
    private Http.Response rawGet(String target) {
        return raw(
                ("GET "
                                + target
                                + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                                + read.key()
                                + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Sends bytes as they are and reads the answer to the end (the request asks to close). */
    private Http.Response raw(byte[] request) {
        return new RawHttp(server.getHost(), server.getPort()).send(request);
    }
}
