package captiva.tenancy.apikeys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import captiva.testing.Instances;
import captiva.testing.TestDatabase;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 4: "revocation takes effect at once on every replica". Two instances on one database, as
 * replicas behind a load balancer; a key revoked through one is refused by the other on the very
 * next request, however much the other had used it before (so no cache of keys may hide a
 * revocation).
 */
@DisplayName("API key revocation across replicas")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RevocationAcrossReplicasTest {

    private EmbeddedServer a;
    private EmbeddedServer b;

    @BeforeAll
    void twoInstances() {
        a = Instances.start(TestDatabase.properties());
        b = Instances.start(TestDatabase.properties());
    }

    @AfterAll
    void stop() {
        a.stop();
        b.stop();
    }

    @Test
    void aKeyRevokedThroughOneReplicaIsRefusedByTheOtherOnTheVeryNextRequest() {
        Http onA = Instances.http(a);
        Http onB = Instances.http(b);
        Fixtures given = new Fixtures(onA);
        Tenant tenant = given.tenant();
        Key key = given.key(tenant, List.of("sessions:read", "ingest"), null, 100_000);
        Key other = given.readKey(tenant);
        for (int i = 0; i < 3; i++) {
            assertEquals(200, onA.get("/sessions", key.auth()).status());
            assertEquals(200, onB.get("/sessions", key.auth()).status());
            assertEquals(200, onB.get("/sessions/count", key.auth()).status());
        }

        assertEquals(
                204,
                onA.delete(
                                "/admin/tenants/" + tenant.id() + "/api-keys/" + key.id(),
                                Fixtures.admin())
                        .status());

        Http.Response next = onB.get("/sessions", key.auth());
        assertEquals(401, next.status(), next.body());
        assertEquals("application/problem+json", next.contentType());
        assertEquals(401, onB.get("/sessions/count", key.auth()).status());
        assertEquals(401, onB.post("/ingest/accounting", List.of(), key.auth()).status());
        assertEquals(401, onA.get("/sessions", key.auth()).status());
        // Only that key: the tenant's other key still works on both.
        assertEquals(200, onB.get("/sessions", other.auth()).status());
        assertEquals(200, onA.get("/sessions", other.auth()).status());
    }
}
