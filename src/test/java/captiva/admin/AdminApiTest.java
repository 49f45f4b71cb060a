package captiva.admin;

import static captiva.testing.Fixtures.admin;
import static captiva.testing.Fixtures.session;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@MicronautTest(transactional = false)
@DisplayName("admin API")
class AdminApiTest extends ApiTest {

    private static List<String> errorNames(Http.Response r) {
        List<String> names = new ArrayList<>();
        r.json().get("errors").forEach(e -> names.add(e.get("name").asText()));
        return names;
    }

    @Nested
    @DisplayName("admin token")
    class AdminTokenRequired {

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "/admin/tenants",
                    "/admin/tenants/x/locations",
                    "/admin/tenants/x/api-keys"
                })
        void everyAdminEndpointNeedsTheToken(String path) {
            assertEquals(401, http().get(path).status());
            assertEquals(401, http().get(path, "Authorization", "Bearer wrong").status());
            assertEquals(401, http().post(path, "{}", "Authorization", "Bearer wrong").status());
        }

        @Test
        void aReadKeyIsNotAnAdminToken() {
            Fixtures.Key key = given().readKey(given().tenant());

            assertEquals(401, http().get("/admin/tenants", key.auth()).status());
        }
    }

    @Nested
    @DisplayName("tenants, locations and NAS")
    class Tenancy {

        @Test
        void createdTenantIsListed() {
            Http.Response created =
                    http().post(
                                    "/admin/tenants",
                                    Map.of("name", "Acme Malls", "time_zone", "Europe/Berlin"),
                                    admin());

            assertEquals(201, created.status());
            String id = created.json().get("id").asText();
            assertEquals("Acme Malls", created.json().get("name").asText());
            assertEquals("Europe/Berlin", created.json().get("time_zone").asText());
            assertTrue(http().get("/admin/tenants", admin()).body().contains(id));
        }

        @Test
        void badTenantNamesEachField() {
            Http.Response r =
                    http().post(
                                    "/admin/tenants",
                                    Map.of("name", "", "time_zone", "Mars/Olympus"),
                                    admin());

            assertEquals(400, r.status());
            assertEquals(List.of("name", "time_zone"), errorNames(r));
        }

        @Test
        void textTheDatabaseCannotStoreIsA400NotA500() {
            Http.Response r =
                    http().post(
                                    "/admin/tenants",
                                    "{\"name\":\"Acme\\u0000Malls\",\"time_zone\":\"UTC\"}",
                                    admin());

            assertEquals(400, r.status(), r.body());
            assertEquals("application/problem+json", r.contentType());
        }

        /**
         * Java would keep a lone surrogate, and PostgreSQL's UTF-8 would store it as '?': the text
         * would change silently.
         */
        @Test
        void aLoneSurrogateIsA400NamingTheFieldNotAQuestionMark() {
            Http.Response r =
                    http().post(
                                    "/admin/tenants",
                                    "{\"name\":\"Acme\\ud800Malls\",\"time_zone\":\"UTC\"}",
                                    admin());

            assertEquals(400, r.status(), r.body());
            assertEquals("application/problem+json", r.contentType());
            assertEquals(List.of("name"), errorNames(r));
        }

        @Test
        void aNulIsA400NamingTheField() {
            Http.Response r =
                    http().post(
                                    "/admin/tenants",
                                    "{\"name\":\"Acme\\u0000Malls\",\"time_zone\":\"UTC\"}",
                                    admin());

            assertEquals(400, r.status(), r.body());
            assertEquals(List.of("name"), errorNames(r));
        }

        @Test
        void unreadableBodyIsA400Problem() {
            Http.Response r = http().post("/admin/tenants", "{not json", admin());

            assertEquals(400, r.status());
            assertEquals("application/problem+json", r.contentType());
        }

        @Test
        void locationsOfUnknownTenantAre404() {
            Http.Response r =
                    http().post(
                                    "/admin/tenants/pR3zOKmvzqe/locations",
                                    Map.of("name", "x", "time_zone", "UTC"),
                                    admin());

            assertEquals(404, r.status());
        }

        @Test
        void locationIsListedUnderItsTenantOnly() {
            Tenant tenant = given().tenant();
            Location location = given().location(tenant);

            assertTrue(
                    http().get("/admin/tenants/" + tenant.id() + "/locations", admin())
                            .body()
                            .contains(location.id()));
            assertFalse(
                    http().get("/admin/tenants/" + given().tenant().id() + "/locations", admin())
                            .body()
                            .contains(location.id()));
        }

        @Test
        void aNasRequiresNoMessageAuthenticatorUnlessRegisteredSo() {
            Location location = given().location(given().tenant());
            String path =
                    "/admin/tenants/"
                            + location.tenant().id()
                            + "/locations/"
                            + location.id()
                            + "/nas";

            http().post(
                            path,
                            Map.of(
                                    "ip_address",
                                    "192.0.2.78",
                                    "secret",
                                    "s",
                                    "identifier",
                                    "ap-78-" + location.id()),
                            admin());
            http().post(
                            path,
                            Map.of(
                                    "ip_address",
                                    "192.0.2.79",
                                    "secret",
                                    "s",
                                    "identifier",
                                    "ap-79-" + location.id(),
                                    "require_message_authenticator",
                                    true),
                            admin());

            Http.Response listed = http().get(path, admin());
            assertEquals(
                    List.of(false, true),
                    List.of(
                            listed.json().get(0).get("require_message_authenticator").asBoolean(),
                            listed.json().get(1).get("require_message_authenticator").asBoolean()));
        }

        @Test
        void nasSecretIsNeverReturned() {
            Location location = given().location(given().tenant());
            String path =
                    "/admin/tenants/"
                            + location.tenant().id()
                            + "/locations/"
                            + location.id()
                            + "/nas";

            Http.Response created =
                    http().post(
                                    path,
                                    Map.of(
                                            "ip_address",
                                            "192.0.2.77",
                                            "secret",
                                            "s3cr3t-value",
                                            "identifier",
                                            "ap-77-" + location.id()),
                                    admin());
            Http.Response listed = http().get(path, admin());

            assertEquals(201, created.status(), created.body());
            assertFalse(created.body().contains("s3cr3t-value"));
            assertFalse(listed.body().contains("s3cr3t-value"));
            assertEquals("192.0.2.77", listed.json().get(0).get("ip_address").asText());
        }

        @Test
        void nasAddressIsAnsweredInOneSpelling() {
            Location location = given().location(given().tenant());
            String path =
                    "/admin/tenants/"
                            + location.tenant().id()
                            + "/locations/"
                            + location.id()
                            + "/nas";

            Http.Response created =
                    http().post(
                                    path,
                                    Map.of(
                                            "ip_address",
                                            "2001:0db8:0:0:0:0:0:1f",
                                            "secret",
                                            "x",
                                            "identifier",
                                            "v6-" + location.id()),
                                    admin());

            assertEquals("2001:db8::1f", created.json().get("ip_address").asText());
            assertEquals(
                    "2001:db8::1f",
                    http().get(path, admin()).json().get(0).get("ip_address").asText());
        }

        @Test
        void secondNasOnTheSameAddressWithoutIdentifierIs409() {
            Location location = given().location(given().tenant());
            Location elsewhere = given().location(given().tenant());
            http().post(
                            "/admin/tenants/"
                                    + location.tenant().id()
                                    + "/locations/"
                                    + location.id()
                                    + "/nas",
                            Map.of("ip_address", "198.51.100.9", "secret", "a"),
                            admin());

            Http.Response r =
                    http().post(
                                    "/admin/tenants/"
                                            + elsewhere.tenant().id()
                                            + "/locations/"
                                            + elsewhere.id()
                                            + "/nas",
                                    Map.of("ip_address", "198.51.100.9", "secret", "b"),
                                    admin());

            assertEquals(409, r.status());
        }

        @Test
        void nasOfAnotherTenantsLocationIs404() {
            Tenant tenant = given().tenant();
            Location foreign = given().location(given().tenant());

            Http.Response r =
                    http().post(
                                    "/admin/tenants/"
                                            + tenant.id()
                                            + "/locations/"
                                            + foreign.id()
                                            + "/nas",
                                    Map.of("ip_address", "198.51.100.10", "secret", "a"),
                                    admin());

            assertEquals(404, r.status());
        }

        @Test
        void badNasNamesEachField() {
            Location location = given().location(given().tenant());

            Http.Response r =
                    http().post(
                                    "/admin/tenants/"
                                            + location.tenant().id()
                                            + "/locations/"
                                            + location.id()
                                            + "/nas",
                                    Map.of("ip_address", "host.example", "secret", ""),
                                    admin());

            assertEquals(List.of("ip_address", "secret"), errorNames(r));
        }
    }

    @Nested
    @DisplayName("API keys")
    class ApiKeys {

        @Test
        void keyForAnotherTenantsLocationIsRefused() {
            Tenant tenant = given().tenant();
            Location foreign = given().location(given().tenant());

            Http.Response r = keyLimitedTo(tenant, List.of(foreign.id()));

            assertEquals(400, r.status());
            assertEquals(List.of("location_ids"), errorNames(r));
        }

        @Test
        void anEmptyLocationListIsRefusedRatherThanReadAsAll() {
            Tenant tenant = given().tenant();

            Http.Response r = keyLimitedTo(tenant, List.of());

            assertEquals(400, r.status());
            assertEquals(List.of("location_ids"), errorNames(r));
        }

        private Http.Response keyLimitedTo(Tenant tenant, List<String> locationIds) {
            return http().post(
                            "/admin/tenants/" + tenant.id() + "/api-keys",
                            Map.of(
                                    "name",
                                    "k",
                                    "scopes",
                                    List.of("sessions:read"),
                                    "location_ids",
                                    locationIds),
                            admin());
        }

        @Test
        void createdKeyShowsTheStoredCreationTime() {
            Tenant tenant = given().tenant();

            Http.Response created =
                    http().post(
                                    "/admin/tenants/" + tenant.id() + "/api-keys",
                                    Map.of("name", "k", "scopes", List.of("sessions:read")),
                                    admin());

            assertEquals(
                    http().get("/admin/tenants/" + tenant.id() + "/api-keys", admin())
                            .json()
                            .get(0)
                            .get("created_at")
                            .asText(),
                    created.json().get("created_at").asText());
        }

        @Test
        void unknownScopeAndBadLimitAreNamed() {
            Tenant tenant = given().tenant();

            Http.Response r =
                    http().post(
                                    "/admin/tenants/" + tenant.id() + "/api-keys",
                                    Map.of(
                                            "name",
                                            "k",
                                            "scopes",
                                            List.of("sessions:write"),
                                            "rate_limit_per_minute",
                                            0),
                                    admin());

            assertEquals(List.of("scopes", "rate_limit_per_minute"), errorNames(r));
        }
    }

    @Nested
    @DisplayName("session import")
    class SessionImport {

        @Test
        void answersTheNewIdsInOrder() {
            Location location = given().location(given().tenant());

            List<String> ids =
                    given().sessions(
                                    session(location).username("first"),
                                    session(location).username("second"));

            Http.Response listed =
                    http().get("/sessions", given().readKey(location.tenant()).auth());
            assertEquals(2, ids.size());
            assertEquals(ids.get(0), listed.json().get("data").get(0).get("id").asText());
            assertEquals(ids.get(1), listed.json().get("data").get(1).get("id").asText());
        }

        @Test
        void namesEachBadRecordAndStoresNothing() {
            Location location = given().location(given().tenant());
            Location foreign = given().location(given().tenant());
            List<Object> body =
                    List.of(
                            Map.of(
                                    "location_id",
                                    location.id(),
                                    "start_time",
                                    "2024-01-01T10:00:00Z"),
                            Map.of(
                                    "location_id",
                                    foreign.id(),
                                    "start_time",
                                    "2024-01-01T10:00:00Z",
                                    "guest_device_mac",
                                    "nope"),
                            Map.of(
                                    "location_id",
                                    location.id(),
                                    "start_time",
                                    "2024-01-01T10:00:00Z",
                                    "end_time",
                                    "2023-01-01T10:00:00Z",
                                    "guest_device_ip",
                                    "300.1.1.1",
                                    "downloaded_bytes",
                                    -1));

            Http.Response r =
                    http().post(
                                    "/admin/tenants/" + location.tenant().id() + "/sessions",
                                    body,
                                    admin());

            assertEquals(400, r.status());
            assertEquals(
                    List.of(
                            "/1/location_id",
                            "/1/guest_device_mac",
                            "/2/guest_device_ip",
                            "/2/end_time",
                            "/2/downloaded_bytes"),
                    errorNames(r));
            assertEquals(
                    0,
                    http().get("/sessions/count", given().readKey(location.tenant()).auth())
                            .json()
                            .get("count")
                            .asLong());
        }

        @Test
        void sameGuestIsMatchedByYasIdThenEmail() {
            Location location = given().location(given().tenant());
            given().sessions(
                            session(location).guest("Ann", "ann@example.com", "yas-1"),
                            session(location).guest("Ann B.", "ANN@example.com", null));

            Http.Response listed =
                    http().get("/sessions", given().readKey(location.tenant()).auth());

            String first = listed.json().get("data").get(0).get("guest_id").asText();
            assertEquals(first, listed.json().get("data").get(1).get("guest_id").asText());
        }

        @Test
        void emptyOrOversizedImportIsRefused() {
            Tenant tenant = given().tenant();

            assertEquals(
                    400,
                    http().post("/admin/tenants/" + tenant.id() + "/sessions", List.of(), admin())
                            .status());
        }
    }
}
