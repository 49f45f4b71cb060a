package captiva.tenancy.apikeys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@MicronautTest(transactional = false)
@DisplayName("API key authentication")
class ApiKeyAuthTest extends ApiTest {

    @Test
    void noKeyIs401ProblemWithChallenge() {
        Http.Response r = http().get("/sessions");

        assertEquals(401, r.status());
        assertEquals("application/problem+json", r.contentType());
        assertEquals("Bearer", r.header("WWW-Authenticate").orElseThrow());
    }

    @Test
    void unknownKeyIs401() {
        assertEquals(
                401,
                http().get(
                                "/sessions",
                                "Authorization",
                                "Bearer cpk_0000000000000000000000000000000")
                        .status());
    }

    @Test
    void keyWorksAsBearerOrXApiKey() {
        Key key = given().readKey(given().tenant());

        assertEquals(200, http().get("/sessions/count", key.auth()).status());
        assertEquals(200, http().get("/sessions/count", "X-API-Key", key.key()).status());
    }

    @Test
    void aKeyWithoutTheBearerSchemeIsToldHowToSendIt() {
        Key key = given().readKey(given().tenant());

        Http.Response r = http().get("/sessions/count", "Authorization", key.key());

        assertEquals(401, r.status());
        assertTrue(
                r.json().get("detail").asText().contains("Authorization: Bearer <key>"), r.body());
        assertFalse(r.body().contains(key.key()), "the key is not echoed");
    }

    @Test
    void keysAreIssuedWithARecognisablePrefix() {
        Key key = given().readKey(given().tenant());

        assertTrue(key.key().matches("cpk_[0-9A-Za-z]{32}"), key.key());
    }

    @Test
    void revokedKeyStopsWorkingAtOnce() {
        Tenant tenant = given().tenant();
        Key key = given().readKey(tenant);
        assertEquals(200, http().get("/sessions/count", key.auth()).status());

        Http.Response revoked =
                http().delete(
                                "/admin/tenants/" + tenant.id() + "/api-keys/" + key.id(),
                                Fixtures.admin());

        assertEquals(204, revoked.status());
        assertEquals(401, http().get("/sessions/count", key.auth()).status());
    }

    @Test
    void anotherTenantCannotRevokeAKey() {
        Tenant owner = given().tenant();
        Key key = given().readKey(owner);
        Tenant other = given().tenant();

        Http.Response r =
                http().delete(
                                "/admin/tenants/" + other.id() + "/api-keys/" + key.id(),
                                Fixtures.admin());

        assertEquals(404, r.status());
        assertEquals(200, http().get("/sessions/count", key.auth()).status());
    }

    @Test
    void keyWithoutTheReadScopeIs403() {
        Key ingestOnly = given().key(given().tenant(), List.of("ingest"), null, null);

        Http.Response r = http().get("/sessions", ingestOnly.auth());

        assertEquals(403, r.status());
        assertEquals("application/problem+json", r.contentType());
    }

    @Test
    void errorBodiesNeverEchoTheKey() {
        Key ingestOnly = given().key(given().tenant(), List.of("ingest"), null, null);

        Http.Response forbidden = http().get("/sessions", ingestOnly.auth());
        Http.Response unknown = http().get("/sessions", "Authorization", "Bearer cpk_secretvalue");

        assertFalse(forbidden.body().contains(ingestOnly.key()));
        assertFalse(unknown.body().contains("cpk_secretvalue"));
    }

    @Test
    void listedKeysShowOnlyThePrefix() {
        Tenant tenant = given().tenant();
        Key key = given().readKey(tenant);

        Http.Response r =
                http().get("/admin/tenants/" + tenant.id() + "/api-keys", Fixtures.admin());

        assertFalse(r.body().contains(key.key()));
        assertTrue(r.json().get(0).get("key").isNull());
        assertEquals(key.key().substring(0, 8), r.json().get(0).get("key_prefix").asText());
    }
}
