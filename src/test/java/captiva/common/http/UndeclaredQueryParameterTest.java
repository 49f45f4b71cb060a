package captiva.common.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.tenancy.apikeys.Scope;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Key;
import captiva.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A misspelled or unknown query parameter is a 400 naming it, on every operation openapi.yml lists.
 */
@MicronautTest(transactional = false)
@DisplayName("Query parameters the spec does not declare")
class UndeclaredQueryParameterTest extends ApiTest {

    private Fixtures.Tenant tenant;
    private Key key;

    @BeforeAll
    void aKeyWithEveryScope() {
        tenant = given().tenant();
        given().location(tenant);
        key = keyWithEveryScope();
    }

    private Key keyWithEveryScope() {
        return given().key(
                        tenant,
                        Arrays.stream(Scope.values()).map(Scope::wireName).toList(),
                        null,
                        100_000);
    }

    @Test
    @DisplayName("a misspelled filter is named, with the parameters the endpoint takes")
    void misspelledFilter() {
        Http.Response r = http().get("/sessions?onlin=true", key.auth());

        assertEquals(400, r.status(), r.body());
        JsonNode error = r.json().get("errors").get(0);
        assertEquals("onlin", error.get("name").asText());
        assertTrue(error.get("reason").asText().contains("online"), r.body());
        assertEquals(1, r.json().get("errors").size(), r.body());
    }

    @Test
    void misspelledGuestFilter() {
        Http.Response r = http().get("/guests?emial=x", key.auth());

        assertEquals(400, r.status(), r.body());
        assertEquals("emial", r.json().get("errors").get(0).get("name").asText());
    }

    @Test
    @DisplayName("declared parameters pass, including on endpoints that take none of them")
    void declaredParametersPass() {
        assertEquals(200, http().get("/sessions?online=true&per_page=5", key.auth()).status());
        assertEquals(200, http().get("/sessions/count?online=false", key.auth()).status());
    }

    @Test
    @DisplayName("a caller without a key is told about the key, not about parameters")
    void authenticationComesFirst() {
        assertEquals(401, http().get("/sessions?onlin=true").status());
    }

    @Test
    @DisplayName("every operation in openapi.yml refuses a parameter it does not declare")
    void everyOperation() {
        Map<String, Set<String>> operations = DeclaredQueryParameters.readSpec();
        List<String> accepted = new ArrayList<>();
        operations.keySet().stream()
                .sorted()
                .forEach(
                        operation -> {
                            String method = operation.substring(0, operation.indexOf(' '));
                            String path =
                                    operation
                                            .substring(operation.indexOf(' ') + 1)
                                            .replaceAll("\\{[^}]+}", "x1");
                            if (path.equals("/sessions/x1")) {
                                path = "/sessions/10.0.0.1";
                            }
                            // A key per operation: the export's GET and HEAD share a bucket of one
                            // request a minute.
                            String[] auth =
                                    path.startsWith("/admin/")
                                            ? Fixtures.admin()
                                            : keyWithEveryScope().auth();
                            Http.Response r =
                                    http().send(
                                                    HttpRequest.newBuilder(
                                                                    http().uri(
                                                                                    path
                                                                                            + "?bogus_parameter=1"))
                                                            .method(
                                                                    method,
                                                                    HttpRequest.BodyPublishers
                                                                            .ofString("{}"))
                                                            .header(
                                                                    "Content-Type",
                                                                    "application/json"),
                                                    auth);
                            boolean named =
                                    r.status() == 400
                                            && (method.equals("HEAD")
                                                    || r.body().contains("bogus_parameter"));
                            if (!named) {
                                accepted.add(operation + " answered " + r.status());
                            }
                        });
        assertTrue(
                accepted.isEmpty(),
                () -> "Operations that did not refuse ?bogus_parameter=1: " + accepted);
        assertTrue(
                operations.size() > 40, "the spec was read: " + operations.size() + " operations");
    }
}
