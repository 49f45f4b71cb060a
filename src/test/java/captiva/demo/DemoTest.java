package captiva.demo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.Application;
import captiva.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The demo environment with no datasource URL: the embedded PostgreSQL, the demo data and the
 * simulator are on, exactly as for a newcomer's {@code mvn mn:run}.
 */
@MicronautTest(transactional = false, environments = Application.DEMO_ENVIRONMENT)
@Property(name = "captiva.demo.tick", value = "200ms")
@Property(name = "captiva.admin.token", value = DemoTest.ADMIN_TOKEN)
@Property(name = "micronaut.server.port", value = "-1")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("the demo (mvn mn:run)")
class DemoTest {

    static final String ADMIN_TOKEN = "demo-test-admin-token-0123456789abcdef";
    private static final Pattern CURL =
            Pattern.compile(
                    "curl -H \"Authorization: Bearer (cpk_[0-9A-Za-z]+)\" \"(http://localhost:(\\d+)/sessions\\?online=true&last_session_first=true)\"");
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @Inject EmbeddedServer server;

    @Inject DemoData demoData;

    @Inject TransactionOperations<Connection> transactions;

    private String readKey;
    private long tenantId;

    @BeforeAll
    void findTheDemo() {
        Matcher curl = curlLine();
        readKey = curl.group(1);
        tenantId = number("SELECT id FROM tenant WHERE name = ?", DemoData.TENANT_NAME);
    }

    private Matcher curlLine() {
        String welcome =
                demoData.welcome().orElseThrow(() -> new AssertionError("no welcome text printed"));
        Matcher curl = CURL.matcher(welcome);
        assertTrue(curl.find(), "no curl line in:\n" + welcome);
        return curl;
    }

    @Test
    void theCurlLineOfTheWelcomeWorksAsPrintedAndShowsGuestsOnlineNewestFirst() throws Exception {
        Matcher curl = curlLine();

        HttpResponse<String> response =
                CLIENT.send(
                        HttpRequest.newBuilder(URI.create(curl.group(2)))
                                .header("Authorization", "Bearer " + curl.group(1))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        assertEquals(server.getPort(), Integer.parseInt(curl.group(3)));
        assertEquals(200, response.statusCode(), response.body());
        JsonNode data = Http.JSON.readTree(response.body()).get("data");
        assertEquals(10, data.size(), "a full first page of online guests");
        Instant previous = Instant.MAX;
        for (JsonNode session : data) {
            assertEquals("Online", session.get("connection_status").asText());
            Instant start = OffsetDateTime.parse(session.get("start_time").asText()).toInstant();
            assertFalse(start.isAfter(previous), "newest first");
            previous = start;
        }
    }

    @Test
    void theWelcomeGivesTheLoopbackNasSecretButNotAConfiguredAdminToken() {
        String welcome = demoData.welcome().orElseThrow();

        String secret =
                text(
                        "SELECT secret FROM nas WHERE tenant_id = ? AND identifier IS NULL AND host(ip_address) = '127.0.0.1'",
                        tenantId);

        assertTrue(welcome.contains("secret " + secret), welcome);
        assertFalse(
                welcome.contains(ADMIN_TOKEN),
                "a token the operator configured is not echoed to the log");
    }

    @Test
    void theDemoTenantHasVenuesInFourTimeZonesEachWithANasAndThousandsOfSessions() {
        JsonNode tenant = null;
        for (JsonNode t : adminGet("/admin/tenants")) {
            if (DemoData.TENANT_NAME.equals(t.get("name").asText())) {
                tenant = t;
            }
        }
        assertTrue(tenant != null, "demo tenant listed by the admin API");

        JsonNode locations = adminGet("/admin/tenants/" + tenant.get("id").asText() + "/locations");

        assertEquals(4, locations.size());
        Set<String> zones = new HashSet<>();
        List<String> identifiers = new ArrayList<>();
        for (JsonNode location : locations) {
            zones.add(location.get("time_zone").asText());
            JsonNode nas =
                    adminGet(
                            "/admin/tenants/"
                                    + tenant.get("id").asText()
                                    + "/locations/"
                                    + location.get("id").asText()
                                    + "/nas");
            assertEquals(1, nas.size());
            assertEquals("127.0.0.1", nas.get(0).get("ip_address").asText());
            identifiers.add(
                    nas.get(0).get("identifier").isNull()
                            ? null
                            : nas.get(0).get("identifier").asText());
            assertTrue(
                    count("/sessions/count?location_id=" + location.get("id").asText()) > 300,
                    "past sessions at " + location.get("name").asText());
        }
        assertEquals(4, zones.size(), zones.toString());
        assertEquals(
                1,
                identifiers.stream().filter(i -> i == null).count(),
                "one NAS known by address alone");
        assertTrue(
                identifiers.stream()
                        .filter(i -> i != null)
                        .allMatch(i -> i.matches("demo-[a-z]+-[a-z]+-ap1")),
                identifiers.toString());
        assertTrue(count("/sessions/count") > 3000);
        assertTrue(count("/sessions/count?online=true") >= 20, "a crowd online from the start");
        long guests =
                number(
                        "SELECT count(*) FROM guest WHERE tenant_id = ? AND yas_id IS NOT NULL AND email IS NOT NULL",
                        tenantId);
        assertTrue(guests >= 190 && guests <= DemoCast.GUESTS, "guests " + guests);
    }

    @Test
    void theSimulatorStartsUpdatesAndStopsSessionsThroughAccounting() {
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Map<String, Long> downloadedAtT0 = new HashMap<>();
        for (JsonNode s :
                get("/sessions?online=true&last_session_first=true&per_page=100").get("data")) {
            downloadedAtT0.put(s.get("id").asText(), s.get("downloaded_bytes").asLong());
        }
        String accountedSince =
                "SELECT count(*) FROM session WHERE tenant_id = ? AND acct_session_id IS NOT NULL ";

        awaitTrue(
                () ->
                        number(accountedSince + "AND start_time >= ?", tenantId, t0.plusMillis(1))
                                        >= 3
                                && number(
                                                accountedSince + "AND end_time >= ?",
                                                tenantId,
                                                t0.plusMillis(1))
                                        >= 3
                                && Instant.now().isAfter(t0.plusSeconds(3)));

        JsonNode started =
                get("/sessions?start_time="
                                + URLEncoder.encode(t0.toString(), StandardCharsets.UTF_8)
                                + "&last_session_first=true&per_page=100")
                        .get("data");
        assertTrue(started.size() >= 3, "sessions started through accounting after " + t0);
        for (JsonNode s : started) {
            assertFalse(s.get("yas_id").isNull(), "linked to a demo guest by username: " + s);
            assertTrue(s.get("guest_device_ip").asText().startsWith("10.20."), s.toString());
            assertFalse(s.get("guest_device_mac").isNull(), s.toString());
        }
        int grew = 0;
        for (JsonNode s :
                get("/sessions?online=true&last_session_first=true&per_page=100").get("data")) {
            Long before = downloadedAtT0.get(s.get("id").asText());
            if (before != null && s.get("downloaded_bytes").asLong() > before) {
                grew++;
            }
        }
        assertTrue(grew >= 3, "counters grew by Interim-Update for " + grew + " sessions");
        assertEquals(
                0,
                number(
                        accountedSince
                                + "AND end_time IS NOT NULL AND (terminate_cause IS NULL OR session_time IS NULL)",
                        tenantId),
                "every Stop says why and how long");
        assertEquals(
                0,
                number(
                        accountedSince + "AND acct_session_id !~ '^[0-9A-F]{8}-[0-9A-F]{8}$'",
                        tenantId));
        assertTrue(count("/sessions/count?online=true") >= 20, "the crowd is still there");
    }

    @Test
    void loadingAgainFindsTheDemoAndAddsNothing() {
        String perTenant = " WHERE tenant_id = ?";
        List<String> tables = List.of("location", "nas", "guest", "api_key");
        Map<String, Long> before = new HashMap<>();
        tables.forEach(
                t -> before.put(t, number("SELECT count(*) FROM " + t + perTenant, tenantId)));
        long imported =
                number(
                        "SELECT count(*) FROM session WHERE tenant_id = ? AND acct_session_id IS NULL",
                        tenantId);

        DemoData.Outcome again = demoData.load();

        assertFalse(again.loadedNow());
        assertNull(again.readKey());
        assertEquals(0, again.pastSessions());
        assertEquals(1, number("SELECT count(*) FROM tenant WHERE name = ?", DemoData.TENANT_NAME));
        tables.forEach(
                t ->
                        assertEquals(
                                before.get(t),
                                number("SELECT count(*) FROM " + t + perTenant, tenantId),
                                t));
        assertEquals(
                imported,
                number(
                        "SELECT count(*) FROM session WHERE tenant_id = ? AND acct_session_id IS NULL",
                        tenantId));
        assertEquals(tenantId, again.demo().tenantId());
        assertEquals(4, again.demo().venues().size());
        assertEquals(before.get("guest"), (long) again.demo().guests().size());
    }

    private JsonNode get(String path) {
        return send(path, "Bearer " + readKey);
    }

    private JsonNode adminGet(String path) {
        return send(path, "Bearer " + ADMIN_TOKEN);
    }

    private long count(String path) {
        return get(path).get("count").asLong();
    }

    private JsonNode send(String path, String authorization) {
        try {
            HttpResponse<String> response =
                    CLIENT.send(
                            HttpRequest.newBuilder(URI.create(server.getURL() + path))
                                    .header("Authorization", authorization)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), path + ": " + response.body());
            return Http.JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError(path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(path, e);
        }
    }

    private static void awaitTrue(BooleanSupplier condition) {
        await("the simulator to get there")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(condition::getAsBoolean);
    }

    private long number(String sql, Object... params) {
        return ((Number) query(sql, params)).longValue();
    }

    private String text(String sql, Object... params) {
        return (String) query(sql, params);
    }

    private Object query(String sql, Object... params) {
        return transactions.executeRead(
                status -> {
                    try (PreparedStatement st = status.getConnection().prepareStatement(sql)) {
                        for (int i = 0; i < params.length; i++) {
                            Object p = params[i];
                            st.setObject(
                                    i + 1,
                                    p instanceof Instant instant
                                            ? OffsetDateTime.ofInstant(instant, ZoneOffset.UTC)
                                            : p);
                        }
                        try (ResultSet rs = st.executeQuery()) {
                            assertTrue(rs.next(), sql);
                            return rs.getObject(1);
                        }
                    } catch (SQLException e) {
                        throw new AssertionError(sql, e);
                    }
                });
    }
}
