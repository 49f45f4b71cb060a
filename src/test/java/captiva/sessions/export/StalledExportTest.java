package captiva.sessions.export;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.common.OpaqueIds;
import captiva.common.WideReads;
import captiva.testing.ApiTest;
import captiva.testing.Exports;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import io.micronaut.jdbc.DataSourceResolver;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Exports whose clients stop reading, with real sockets: one tenant cannot take every wide-read
 * slot, and a stalled download gives its slot and its database connection back within the stall
 * timeout.
 */
@MicronautTest(transactional = false)
@DisplayName("GET /sessions/export with a client that stops reading")
class StalledExportTest extends ApiTest {

    /** About 24 MB of CSV: far more than the socket buffers of both ends hold. */
    private static final int SESSIONS = 20_000;

    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(2);

    @Inject OpaqueIds ids;
    @Inject DataSource dataSource;
    @Inject DataSourceResolver resolver;
    @Inject WideReads wideReads;

    private Key greedy;
    private Key other;

    @Override
    protected Map<String, String> extraProperties() {
        return Map.of(
                "captiva.rate-limit.export-per-minute",
                "1000",
                "captiva.wide-reads.max-concurrent",
                "2",
                "captiva.wide-reads.max-per-tenant",
                "1",
                "captiva.wide-reads.export-stall-timeout",
                STALL_TIMEOUT.toSeconds() + "s");
    }

    @BeforeAll
    void aLargeHistoryAndAnotherTenant() throws SQLException {
        Tenant tenant = given().tenant("UTC");
        Location venue = given().location(tenant);
        greedy = given().readKey(tenant);
        other = given().readKey(given().tenant("UTC"));
        long tenantId = ids.decode(OpaqueIds.Kind.TENANT, tenant.id()).orElseThrow();
        long locationId = ids.decode(OpaqueIds.Kind.LOCATION, venue.id()).orElseThrow();
        Exports.insertHistory(tenantId, locationId, SESSIONS, 800);
    }

    private int activeConnections() throws SQLException {
        return Exports.activeConnections(dataSource, resolver);
    }

    private Socket startExportAndStopReading(Key key) throws IOException {
        return Exports.startAndReadTheFirstRows(server.getPort(), key.key());
    }

    @Test
    void aTenantWhoseExportsStallCannotTakeEverySlot() throws Exception {
        try (Socket stalled = startExportAndStopReading(greedy)) {
            Http.Response again = http().get("/sessions/export", greedy.auth());
            Http.Response otherTenant = http().get("/sessions/export", other.auth());

            assertEquals(503, again.status(), "a tenant's second wide read while its first runs");
            assertTrue(again.body().contains("tenant"), again.body());
            assertEquals(
                    200,
                    otherTenant.status(),
                    "another tenant still gets a slot: " + otherTenant.body());
        }
    }

    @Test
    void aStalledDownloadGivesItsSlotAndConnectionBackWithinTheStallTimeout() throws Exception {
        try (Socket stalled = startExportAndStopReading(greedy)) {
            assertTrue(activeConnections() >= 1, "the export holds a connection while it streams");
            assertTrue(wideReads.available() < 2, "and a slot");

            // Bounded well below Netty's 5-minute idle timeout, which released them before.
            await().atMost(STALL_TIMEOUT.multipliedBy(5))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> activeConnections() == 0 && wideReads.available() == 2);
            assertTrue(
                    !endsLikeACompleteAnswer(stalled),
                    "a cut export must not end like a complete one");
        }
    }

    /** Reads what is left; a chunked answer that ends cleanly ends with the last, empty chunk. */
    private static boolean endsLikeACompleteAnswer(Socket socket) {
        try {
            byte[] rest = socket.getInputStream().readAllBytes();
            return new String(rest, StandardCharsets.US_ASCII).endsWith("0\r\n\r\n");
        } catch (IOException reset) {
            return false;
        }
    }
}
