package captiva.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import captiva.testing.ApiTest;
import captiva.testing.Http;
import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.MessageResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.schema.SchemaValidator;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.web.router.Router;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Holds openapi.yml to what the service does. Every request here goes to the running service, and
 * both the request and its answer are checked against the spec: an answer that deviates in any way
 * (status, header, content type, a field missing, null where the spec says not, or a field the spec
 * does not declare) fails the test. Requests that break the service's rules on purpose must break
 * the spec's too, where the spec can express the rule, so the spec cannot be looser than the code.
 */
@MicronautTest(transactional = false)
@DisplayName("openapi.yml describes the service as served")
class OpenApiContractTest extends ApiTest {

    private static final Path SPEC = Path.of("openapi.yml").toAbsolutePath();
    private static final String PROBLEM_JSON = "application/problem+json";
    private static final String UNDECLARED_STATUS = "validation.response.status.unknown";

    /**
     * Operations that answer without touching the database (metrics, the console's redirect): no
     * 503 of the database.
     */
    private static final Set<String> WITHOUT_DATABASE =
            Set.of("GET /prometheus", "HEAD /prometheus", "GET /", "HEAD /");

    /**
     * Micronaut's management endpoints answer JSON whatever the Accept header says, so never 406.
     */
    private static final Set<String> IGNORING_ACCEPT =
            Set.of(
                    "GET /health",
                    "HEAD /health",
                    "GET /health/{selector}",
                    "HEAD /health/{selector}");

    private static final String[] ADMIN = {"Authorization", "Bearer " + ADMIN_TOKEN};

    /**
     * Micronaut's management endpoints, present because micronaut-flyway depends on
     * micronaut-management. They are not part of the API and not in the spec; they are named one by
     * one so that any other new route still fails the route checks until the spec describes it.
     */
    // Set explicitly rather than relying on the library's default: an undeclared field is an error.
    private static final LevelResolver LEVELS =
            LevelResolver.create()
                    .withLevel(
                            SchemaValidator.ADDITIONAL_PROPERTIES_KEY, ValidationReport.Level.ERROR)
                    // A status the operation does not declare fails the exchange, whatever the
                    // library's default.
                    .withLevel(UNDECLARED_STATUS, ValidationReport.Level.ERROR)
                    .build();

    @Inject Router router;

    /** Webhooks go to a receiver in this JVM, on loopback. */
    @Override
    protected Map<String, String> extraProperties() {
        return Map.of(
                "captiva.webhooks.allow-private-targets",
                "true",
                "captiva.session-control.timeout",
                "200ms",
                "captiva.session-control.attempts",
                "1");
    }

    private OpenApiInteractionValidator validator;
    private OpenAPI spec;
    private SchemaValidator schemas;

    /**
     * Data that the read tests only look at, made through the admin API (and checked like the
     * rest).
     */
    private String tenantId;

    private String venueId;
    private String otherTenantsVenueId;
    private String readKey;
    private String ingestKey;
    private String referenceGuestId;

    @BeforeAll
    void loadSpecAndMakeData() {
        validator =
                OpenApiInteractionValidator.createForSpecificationUrl(SPEC.toString())
                        .withLevelResolver(LEVELS)
                        .build();
        spec = new OpenAPIV3Parser().read(SPEC.toString());
        assertNotNull(spec, "openapi.yml does not parse");
        schemas = new SchemaValidator(spec, new MessageResolver(LEVELS));

        tenantId = newTenant("Europe/London");
        venueId = newLocation(tenantId, "Europe/Istanbul");
        otherTenantsVenueId = newLocation(newTenant("America/New_York"), "America/New_York");
        readKey =
                newKey(
                                tenantId,
                                Map.of(
                                        "name",
                                        "reader",
                                        "scopes",
                                        List.of("sessions:read"),
                                        "rate_limit_per_minute",
                                        100_000))
                        .get("key")
                        .asText();
        ingestKey =
                newKey(
                                tenantId,
                                Map.of(
                                        "name",
                                        "portal",
                                        "scopes",
                                        List.of("ingest"),
                                        "rate_limit_per_minute",
                                        100_000))
                        .get("key")
                        .asText();
        Instant now = Instant.now();
        importSessions(
                tenantId,
                // Every field set, as in the reference's example.
                record(
                        venueId,
                        "2017-01-05T06:50:55+00:00",
                        "2017-01-05T07:00:00+00:00",
                        "username",
                        "C6D144DE",
                        "guest_device_mac",
                        "14-2D-27-E7-40-2B",
                        "guest_device_ip",
                        "172.31.98.114",
                        "guest_device_description",
                        "WebKit",
                        "access_code",
                        "",
                        "login_type_name",
                        "Registration",
                        "service_profile_name",
                        "Default Service Profile - 60 Minute(s)",
                        "downloaded_bytes",
                        3_340_000,
                        "uploaded_bytes",
                        900_580,
                        "guest",
                        Map.of(
                                "name",
                                "Shagun Goel",
                                "email",
                                "shagun1486@outlook.com",
                                "yas_id",
                                "8f627d10-1abc-44d8-b964-a7816388173a")),
                // Online, and every optional field but the address left out: the nulls of a
                // session.
                record(
                        venueId,
                        now.minusSeconds(600).toString(),
                        null,
                        "guest_device_ip",
                        "2001:db8::7"),
                record(
                        venueId,
                        now.minusSeconds(7200).toString(),
                        now.minusSeconds(3600).toString(),
                        "downloaded_bytes",
                        4_200_000_000L));
        JsonNode reference =
                get("/sessions?per_page=1", "Authorization", "Bearer " + readKey)
                        .expect(200)
                        .json();
        referenceGuestId = reference.get("data").get(0).get("guest_id").asText();
    }

    // ---- the spec and the service list the same operations ----

    @Test
    void specDescribesEveryRouteTheServiceServes() {
        Set<String> undocumented = new TreeSet<>(servedOperations());
        undocumented.removeAll(documentedOperations());
        assertTrue(
                undocumented.isEmpty(),
                () -> "Routes without an entry in openapi.yml: " + undocumented);
    }

    @Test
    void specDescribesNoOperationTheServiceLacks() {
        Set<String> unserved = new TreeSet<>(documentedOperations());
        unserved.removeAll(servedOperations());
        assertTrue(
                unserved.isEmpty(),
                () -> "Operations in openapi.yml that the service does not serve: " + unserved);
    }

    // ---- the validator really catches deviations ----

    @Test
    void validatorReportsAResponseFieldTheSpecDoesNotDeclare() {
        SimpleResponse answer =
                rateLimited(SimpleResponse.Builder.ok())
                        .withContentType("application/json")
                        .withBody("{\"count\": 3, \"total\": 3}")
                        .build();

        ValidationReport report =
                validator.validateResponse("/sessions/count", Request.Method.GET, answer);

        assertTrue(
                keys(report).contains("validation.response.body.schema.additionalProperties"),
                () -> describe(report));
    }

    @Test
    void validatorReportsAMissingRateLimitHeader() {
        SimpleResponse answer =
                SimpleResponse.Builder.ok()
                        .withContentType("application/json")
                        .withBody("{\"count\": 3}")
                        .build();

        ValidationReport report =
                validator.validateResponse("/sessions/count", Request.Method.GET, answer);

        assertTrue(
                keys(report).contains("validation.response.header.missing"),
                () -> describe(report));
    }

    @Test
    void validatorReportsAStatusTheOperationDoesNotDeclare() {
        SimpleResponse answer =
                rateLimited(new SimpleResponse.Builder(418))
                        .withContentType(PROBLEM_JSON)
                        .withBody(
                                "{\"type\": \"about:blank\", \"title\": \"I'm a teapot\", \"status\": 418}")
                        .build();

        ValidationReport report =
                validator.validateResponse("/sessions/count", Request.Method.GET, answer);

        assertTrue(
                report.getMessages().stream()
                        .anyMatch(
                                m ->
                                        m.getKey().equals(UNDECLARED_STATUS)
                                                && m.getLevel() == ValidationReport.Level.ERROR),
                () -> describe(report));
    }

    // ---- statuses every operation declares ----

    @Test
    void everyOperationAnsweringJsonDeclares406() {
        Set<String> undeclared = new TreeSet<>();
        operations()
                .forEach(
                        (name, operation) -> {
                            if (answersJson(name)
                                    && !IGNORING_ACCEPT.contains(name)
                                    && !operation.getResponses().containsKey("406")) {
                                undeclared.add(name);
                            }
                        });
        assertTrue(
                undeclared.isEmpty(),
                () ->
                        "Operations that answer JSON, so 406 to an Accept that rules it out, "
                                + "without '406' in openapi.yml: "
                                + undeclared);
    }

    @Test
    void everyOperationThatTouchesTheDatabaseDeclares503() {
        Set<String> undeclared = new TreeSet<>();
        operations()
                .forEach(
                        (name, operation) -> {
                            if (!WITHOUT_DATABASE.contains(name)
                                    && !operation.getResponses().containsKey("503")) {
                                undeclared.add(name);
                            }
                        });
        assertTrue(
                undeclared.isEmpty(),
                () ->
                        "Operations that read or write the database, so 503 while it is down, "
                                + "without '503' in openapi.yml: "
                                + undeclared);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/sessions",
                "/sessions/count",
                "/sessions/statistics",
                "/sessions/172.31.98.114",
                "/locations",
                "/locations/count",
                "/guests",
                "/guests/count"
            })
    void aReadAcceptingOnlyXmlAnswers406(String path) {
        get(path, "Authorization", "Bearer " + readKey, "Accept", "application/xml")
                .expectRefusal(406, "validation.request.accept.notAllowed");
    }

    @Test
    void theAdminApiAcceptingOnlyXmlAnswers406() {
        get("/admin/tenants", "Authorization", ADMIN[1], "Accept", "application/xml")
                .expectRefusal(406, "validation.request.accept.notAllowed");
        post(
                        "/admin/tenants",
                        Map.of("name", "Tenant " + unique(), "time_zone", "UTC"),
                        "Authorization",
                        ADMIN[1],
                        "Accept",
                        "application/xml")
                .expectRefusal(406, "validation.request.accept.notAllowed");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/sessions?per_page=1",
                "/sessions/count",
                "/sessions/statistics",
                "/locations",
                "/guests/count"
            })
    void headOfAReadAnswersItsStatusWithoutABody(String target) {
        Http.Response r = send("HEAD", target, null, null, readAuth()).expect(200);

        assertEquals("", r.body());
    }

    @Test
    void headOfTheAdminApiAnswersItsStatusWithoutABody() {
        send("HEAD", "/admin/tenants", null, null, ADMIN).expect(200);
        send("HEAD", "/health", null, null, new String[0]).expect(200);
    }

    // ---- GET /sessions ----

    @Test
    void sessionPageWithSetAndUnsetFieldsMatchesTheSpec() {
        JsonNode page =
                get("/sessions?location_id=" + venueId + "&per_page=100", readAuth())
                        .expect(200)
                        .json();

        List<JsonNode> data = new ArrayList<>();
        page.get("data").forEach(data::add);
        assertTrue(
                data.stream()
                        .anyMatch(s -> s.get("end_time").isNull() && s.get("guest_id").isNull()),
                "an online session without guest");
        assertTrue(
                data.stream().anyMatch(s -> !s.get("guest_id").isNull()),
                "a session with every field set");
    }

    @Test
    void sessionPageWithEveryFilterMatchesTheSpec() {
        JsonNode page =
                get(
                                "/sessions?guest_id="
                                        + referenceGuestId
                                        + "&location_id="
                                        + venueId
                                        + "&guest_device_mac=142d27e7402b&start_time=2017-01-05&end_time="
                                        + encode("2017-01-05T07:00:00+00:00")
                                        + "&yas_id=8f627d10-1abc-44d8-b964-a7816388173a&online=false&last_session_first=true&per_page=5&page=1",
                                readAuth())
                        .expect(200)
                        .json();

        assertEquals(1, page.get("data").size());
    }

    @Test
    void sessionPageAnswersToTheXApiKeyHeader() {
        get("/sessions?per_page=1", "X-API-Key", readKey).expect(200);
    }

    @Test
    void middlePageHasPreviousAndNextLinks() {
        JsonNode links =
                get("/sessions?location_id=" + venueId + "&per_page=1&page=2", readAuth())
                        .expect(200)
                        .json()
                        .get("links");

        assertFalse(links.get("prev").isNull());
        assertFalse(links.get("next").isNull());
    }

    @Test
    void cursorPagesMatchTheSpecFromFirstToLast() {
        JsonNode first =
                get("/sessions?location_id=" + venueId + "&per_page=1&cursor=", readAuth())
                        .expect(200)
                        .json();
        String next = first.get("links").get("next").asText();
        JsonNode second = get(next.replace(http().base(), ""), readAuth()).expect(200).json();

        assertTrue(first.get("links").get("prev").isNull());
        assertTrue(next.contains("&cursor="), next);
        assertEquals(2, second.get("meta").get("current_page").asInt());
    }

    @Test
    void cursorOfAnotherListingIsRefused() {
        String next =
                get("/sessions?per_page=1&cursor=", readAuth())
                        .expect(200)
                        .json()
                        .get("links")
                        .get("next")
                        .asText();
        String cursor = next.substring(next.indexOf("cursor=") + "cursor=".length());

        Http.Response r =
                get("/sessions?per_page=1&online=false&cursor=" + cursor, readAuth())
                        .expectRefusal(400);

        assertEquals("cursor", r.json().get("errors").get(0).get("name").asText());
    }

    @Test
    void cursorOutsideTheAlphabetIsRefused() {
        get("/sessions?cursor=" + encode("a+b/c"), readAuth())
                .expectRefusal(400, "validation.request.parameter.schema.pattern");
    }

    @Test
    void anotherTenantsLocationGivesAnEmptyPage() {
        JsonNode page =
                get("/sessions?location_id=" + otherTenantsVenueId, readAuth()).expect(200).json();

        assertEquals(0, page.get("data").size());
        assertTrue(page.get("meta").get("from").isNull());
    }

    @Test
    void sessionListRefusesParametersOutsideTheirRange() {
        Http.Response r =
                get(
                                "/sessions?per_page=101&page=0&online=maybe&guest_device_mac=14:2d&guest_id=short",
                                readAuth())
                        .expectRefusal(
                                400,
                                "validation.request.parameter.schema.maximum",
                                "validation.request.parameter.schema.minimum",
                                "validation.request.parameter.schema.invalidJson",
                                "validation.request.parameter.schema.pattern");

        assertEquals(5, r.json().get("errors").size());
    }

    @Test
    void sessionListRefusesARepeatedParameter() {
        get("/sessions?per_page=1&per_page=2", readAuth())
                .expectRefusal(400, "validation.request.parameter.collection.invalid");
    }

    @Test
    void sessionListRefusesATimeThatIsNeitherDateNorInstant() {
        get("/sessions?start_time=yesterday", readAuth())
                .expectRefusal(400, "validation.request.parameter.schema.pattern");
    }

    // ---- GET /sessions/count ----

    @Test
    void sessionCountMatchesTheSpec() {
        JsonNode count =
                get("/sessions/count?location_id=" + venueId + "&online=true", readAuth())
                        .expect(200)
                        .json();

        assertEquals(1, count.get("count").asLong());
    }

    @Test
    void sessionCountRefusesParametersOutsideTheirRange() {
        get("/sessions/count?per_page=0&yas_id=", readAuth())
                .expectRefusal(
                        400,
                        "validation.request.parameter.schema.minimum",
                        "validation.request.parameter.schema.minLength");
    }

    // ---- GET /sessions/statistics ----

    @Test
    void statisticsOfTheWholeSelectionMatchTheSpec() {
        JsonNode report =
                get("/sessions/statistics?location_id=" + venueId, readAuth()).expect(200).json();

        assertEquals(3, report.get("total").get("sessions").asLong());
        assertTrue(report.get("group_by").isNull());
    }

    @ParameterizedTest
    @ValueSource(strings = {"location", "day", "hour"})
    void statisticsPerGroupMatchTheSpec(String groupBy) {
        JsonNode report =
                get("/sessions/statistics?group_by=" + groupBy + "&online=false", readAuth())
                        .expect(200)
                        .json();

        assertEquals(groupBy, report.get("group_by").asText());
        assertFalse(report.get("groups").isEmpty());
    }

    @Test
    void statisticsWithEveryFilterMatchTheSpec() {
        JsonNode report =
                get(
                                "/sessions/statistics?guest_id="
                                        + referenceGuestId
                                        + "&location_id="
                                        + venueId
                                        + "&guest_device_mac=142d27e7402b&start_time=2017-01-05&end_time="
                                        + encode("2017-01-05T07:00:00+00:00")
                                        + "&yas_id=8f627d10-1abc-44d8-b964-a7816388173a&online=false&group_by=day",
                                readAuth())
                        .expect(200)
                        .json();

        assertEquals(1, report.get("groups").size());
    }

    @Test
    void statisticsOfNothingMatchTheSpec() {
        JsonNode total =
                get("/sessions/statistics?location_id=" + otherTenantsVenueId, readAuth())
                        .expect(200)
                        .json()
                        .get("total");

        assertTrue(total.get("median_duration").isNull());
    }

    @Test
    void statisticsRefuseAnUnknownGrouping() {
        get("/sessions/statistics?group_by=week", readAuth())
                .expectRefusal(400, "validation.request.parameter.schema.enum");
    }

    // ---- GET /sessions/export ----

    /** A key of its own per export: exports are limited to one a minute per key. */
    private String[] exportAuth(String accept) {
        String key =
                newKey(tenantId, Map.of("name", "exporter", "scopes", List.of("sessions:read")))
                        .get("key")
                        .asText();
        return new String[] {"Authorization", "Bearer " + key, "Accept", accept};
    }

    @Test
    void csvExportMatchesTheSpec() {
        Http.Response r =
                get("/sessions/export?location_id=" + venueId, exportAuth("text/csv")).expect(200);

        assertEquals(4, r.body().split("\r\n").length, "a header row and three sessions");
    }

    @Test
    void jsonLinesExportWithEveryFilterMatchesTheSpec() {
        Http.Response r =
                get(
                                "/sessions/export?guest_id="
                                        + referenceGuestId
                                        + "&location_id="
                                        + venueId
                                        + "&guest_device_mac=142d27e7402b&start_time=2017-01-05&end_time="
                                        + encode("2017-01-05T07:00:00+00:00")
                                        + "&yas_id=8f627d10-1abc-44d8-b964-a7816388173a&online=false",
                                exportAuth("application/x-ndjson"))
                        .expect(200);

        assertEquals(1, r.body().split("\n").length);
    }

    @Test
    void exportAcceptingNeitherFormatAnswers406() {
        get("/sessions/export", exportAuth("application/json"))
                .expectRefusal(406, "validation.request.accept.notAllowed");
    }

    @Test
    void exportRefusesParametersOutsideTheirRange() {
        get("/sessions/export?online=maybe&guest_id=short", exportAuth("text/csv"))
                .expectRefusal(
                        400,
                        "validation.request.parameter.schema.invalidJson",
                        "validation.request.parameter.schema.pattern");
    }

    // ---- GET /sessions/{ip_address} ----

    @Test
    void oneAddressAnswersAnObject() {
        JsonNode holder = get("/sessions/172.31.98.114", readAuth()).expect(200).json();

        assertTrue(holder.isObject());
    }

    @Test
    void severalAddressesAnswerAnArrayOfThoseFound() {
        JsonNode holders =
                get("/sessions/172.31.98.114,192.0.2.99,2001:db8::7", readAuth())
                        .expect(200)
                        .json();

        assertEquals(2, holders.size());
    }

    @Test
    void addressAtAMomentAndLocationMatchesTheSpec() {
        get(
                        "/sessions/172.31.98.114?location_id="
                                + venueId
                                + "&at="
                                + encode("2017-01-05T06:55:00+00:00"),
                        readAuth())
                .expect(200);
    }

    @Test
    void addressNobodyHeldAnswers404() {
        get("/sessions/192.0.2.99", readAuth()).expect(404);
    }

    @Test
    void addressAtAnotherTenantsLocationAnswers404() {
        get("/sessions/172.31.98.114?location_id=" + otherTenantsVenueId, readAuth()).expect(404);
    }

    @Test
    void addressThatIsNoIpAddressAnswers400() {
        get("/sessions/10.0.0.300", readAuth())
                .expectRefusal(400, "validation.request.parameter.schema.pattern");
    }

    @Test
    void moreThanAHundredAddressesAnswer400() {
        String addresses =
                IntStream.range(0, 101)
                        .mapToObj(i -> "10.0." + (i / 250) + "." + (i % 250))
                        .collect(Collectors.joining(","));

        get("/sessions/" + addresses, readAuth())
                .expectRefusal(400, "validation.request.parameter.collection.tooManyItems");
    }

    // ---- GET /locations and /locations/count ----

    @Test
    void locationPageMatchesTheSpec() {
        JsonNode page = get("/locations?per_page=1", readAuth()).expect(200).json();

        assertEquals(venueId, page.get("data").get(0).get("id").asText());
        assertEquals(1, page.get("data").get(0).get("guests_online").asLong());
    }

    @Test
    void locationCountMatchesTheSpec() {
        assertEquals(
                1,
                get("/locations/count?per_page=5&page=1", readAuth())
                        .expect(200)
                        .json()
                        .get("count")
                        .asLong());
    }

    @Test
    void locationListRefusesPagingOutOfRange() {
        get("/locations?per_page=101", readAuth())
                .expectRefusal(400, "validation.request.parameter.schema.maximum");
        get("/locations/count?page=0", readAuth())
                .expectRefusal(400, "validation.request.parameter.schema.minimum");
    }

    // ---- GET /guests and /guests/count ----

    @Test
    void guestPageWithAGuestWhoLeftMatchesTheSpec() {
        JsonNode guest =
                get("/guests?email=SHAGUN1486%40outlook.com", readAuth())
                        .expect(200)
                        .json()
                        .get("data")
                        .get(0);

        assertEquals(referenceGuestId, guest.get("id").asText());
        assertEquals("3.34 MB", guest.get("downloaded_data").asText());
    }

    @Test
    void guestPageWithEveryFilterMatchesTheSpec() {
        JsonNode page =
                get(
                                "/guests?username=C6D144DE&email=shagun1486%40outlook.com&yas_id=8f627d10-1abc-44d8-b964-a7816388173a"
                                        + "&location_id="
                                        + venueId
                                        + "&last_seen_from=2017-01-05&last_seen_to="
                                        + encode("2017-01-05T07:00:00+00:00")
                                        + "&online=false&per_page=5&page=1",
                                readAuth())
                        .expect(200)
                        .json();

        assertEquals(1, page.get("data").size());
    }

    @Test
    void guestWithoutSessionsTheKeyMaySeeHasNullTimes() {
        post(
                        "/ingest/logins",
                        List.of(
                                loginAt(
                                        venueId,
                                        "username",
                                        "no-session-" + unique(),
                                        "guest",
                                        Map.of(
                                                "name",
                                                "Nobody Yet",
                                                "email",
                                                "nobody-" + unique() + "@example.org"))),
                        ingestAuth())
                .expect(201);

        JsonNode page = get("/guests?online=false&per_page=100", readAuth()).expect(200).json();

        List<JsonNode> data = new ArrayList<>();
        page.get("data").forEach(data::add);
        assertTrue(
                data.stream()
                        .anyMatch(
                                g ->
                                        g.get("first_seen").isNull()
                                                && g.get("sessions").asLong() == 0),
                page.toString());
    }

    @Test
    void guestCountMatchesTheSpec() {
        assertEquals(
                1,
                get(
                                "/guests/count?yas_id=8f627d10-1abc-44d8-b964-a7816388173a&per_page=5",
                                readAuth())
                        .expect(200)
                        .json()
                        .get("count")
                        .asLong());
    }

    @Test
    void guestListRefusesParametersOutsideTheirRange() {
        Http.Response r =
                get(
                                "/guests?per_page=101&online=maybe&email=&last_seen_from=yesterday&location_id=short",
                                readAuth())
                        .expectRefusal(
                                400,
                                "validation.request.parameter.schema.maximum",
                                "validation.request.parameter.schema.invalidJson",
                                "validation.request.parameter.schema.minLength",
                                "validation.request.parameter.schema.pattern");

        assertEquals(5, r.json().get("errors").size());
        get("/guests/count?username=" + "x".repeat(201), readAuth())
                .expectRefusal(400, "validation.request.parameter.schema.maxLength");
    }

    @Test
    void addressLookupRefusesAMalformedMoment() {
        get("/sessions/172.31.98.114?at=2017-01-05", readAuth())
                .expectRefusal(400, "validation.request.parameter.schema.format.date-time");
    }

    // ---- POST /ingest/logins ----

    @Test
    void recordLoginsWithEveryFieldMatchesTheSpec() {
        Map<String, Object> login =
                loginAt(
                        venueId,
                        "username",
                        "C6D144DE",
                        "guest_device_mac",
                        "14-2D-27-E7-40-2B",
                        "guest_device_description",
                        "WebKit",
                        "login_type_name",
                        "Registration",
                        "service_profile_name",
                        "Default Service Profile - 60 Minute(s)",
                        "access_code",
                        "",
                        "login_time",
                        "2017-01-05T06:50:30+00:00",
                        "guest",
                        Map.of(
                                "name",
                                "Shagun Goel",
                                "email",
                                "shagun1486@outlook.com",
                                "yas_id",
                                "8f627d10-1abc-44d8-b964-a7816388173a"));

        JsonNode answer = post("/ingest/logins", List.of(login), ingestAuth()).expect(201).json();

        assertFalse(answer.get("logins").get(0).get("guest_id").isNull());
    }

    @Test
    void oneLoginObjectNamingNoGuestMatchesTheSpec() {
        JsonNode answer =
                post(
                                "/ingest/logins",
                                loginAt(venueId, "guest_device_mac", "142d27e7402c"),
                                ingestAuth())
                        .expect(201)
                        .json();

        assertTrue(answer.get("logins").get(0).get("guest_id").isNull());
    }

    @Test
    void recordLoginsRefusesValuesOutsideTheirRange() {
        Http.Response r =
                post(
                                "/ingest/logins",
                                List.of(
                                        loginAt(
                                                venueId,
                                                "username",
                                                "",
                                                "guest_device_mac",
                                                "14:2d",
                                                "login_time",
                                                "yesterday",
                                                "guest",
                                                Map.of("email", "nobody", "yas_id", ""))),
                                ingestAuth())
                        .expectRefusal(400, "validation.request.body.schema.oneOf");

        assertEquals(5, r.json().get("errors").size());
    }

    @Test
    void recordLoginsRefusesAFieldThatIsNotALogins() {
        post("/ingest/logins", List.of(loginAt(venueId, "user_name", "C6D144DE")), ingestAuth())
                .expectRefusal(400, "validation.request.body.schema.oneOf");
    }

    @Test
    void recordLoginsRefusesAnEmptyList() {
        post("/ingest/logins", List.of(), ingestAuth())
                .expectRefusal(400, "validation.request.body.schema.oneOf");
    }

    @Test
    void recordLoginsRefusesALoginWithNeitherUsernameNorMac() {
        // The spec cannot say "one of two fields"; the service does.
        post("/ingest/logins", List.of(loginAt(venueId)), ingestAuth()).expect(400);
    }

    @Test
    void recordLoginsRefusesAnotherTenantsLocationLikeAnUnknownOne() {
        post(
                        "/ingest/logins",
                        List.of(loginAt(otherTenantsVenueId, "username", "C6D144DE")),
                        ingestAuth())
                .expect(400);
    }

    @Test
    void recordLoginsWithoutBodyAnswers400() {
        send("POST", "/ingest/logins", "application/json", null, ingestAuth())
                .expectRefusal(400, "validation.request.body.missing");
    }

    @Test
    void recordLoginsWithABodyThatIsNotJsonAnswers400() {
        send("POST", "/ingest/logins", "application/json", "[{\"username\":", ingestAuth())
                .expectRefusal(400, "validation.request.body.schema.invalidJson");
    }

    @Test
    void recordLoginsWithoutKeyAnswers401() {
        post("/ingest/logins", List.of(loginAt(venueId, "username", "C6D144DE")))
                .expectRefusal(401, "validation.request.security.missing");
    }

    @Test
    void recordLoginsWithAReadKeyAnswers403() {
        post("/ingest/logins", List.of(loginAt(venueId, "username", "C6D144DE")), readAuth())
                .expect(403);
    }

    @Test
    void recordLoginsOfAnotherMediaTypeAnswers415() {
        send("POST", "/ingest/logins", "text/plain", "[]", ingestAuth())
                .expectRefusal(415, "validation.request.contentType.notAllowed");
    }

    @Test
    void recordLoginsOverTwoMegabytesAnswers413() {
        String huge = "[\"" + "x".repeat(2_200_000) + "\"]";

        send("POST", "/ingest/logins", "application/json", huge, ingestAuth())
                .expectRefusal(413, "validation.request.body.schema.oneOf");
    }

    @Test
    void recordLoginsBeyondTheKeysRateLimitAnswers429() {
        String slowKey =
                newKey(
                                tenantId,
                                Map.of(
                                        "name",
                                        "one login a minute",
                                        "scopes",
                                        List.of("ingest"),
                                        "rate_limit_per_minute",
                                        1))
                        .get("key")
                        .asText();
        Object body = List.of(loginAt(venueId, "username", "C6D144DE"));
        post("/ingest/logins", body, "Authorization", "Bearer " + slowKey).expect(201);

        Http.Response refused =
                post("/ingest/logins", body, "Authorization", "Bearer " + slowKey).expect(429);

        assertEquals("0", refused.header("X-RateLimit-Remaining").orElseThrow());
    }

    // ---- what every read operation answers ----

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/sessions",
                "/sessions/count",
                "/sessions/statistics",
                "/sessions/export",
                "/sessions/172.31.98.114"
            })
    void readWithoutKeyAnswers401(String path) {
        get(path).expectRefusal(401, "validation.request.security.missing");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/sessions",
                "/sessions/count",
                "/sessions/statistics",
                "/sessions/export",
                "/sessions/172.31.98.114"
            })
    void readWithUnknownKeyAnswers401(String path) {
        get(path, "X-API-Key", "cpk_00000000000000000000000000000000").expect(401);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/sessions",
                "/sessions/count",
                "/sessions/statistics",
                "/sessions/export",
                "/sessions/172.31.98.114"
            })
    void readWithKeyLackingTheScopeAnswers403(String path) {
        String ingestKey =
                newKey(tenantId, Map.of("name", "ingest only", "scopes", List.of("ingest")))
                        .get("key")
                        .asText();

        get(path, "Authorization", "Bearer " + ingestKey).expect(403);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/sessions",
                "/sessions/count",
                "/sessions/statistics",
                "/sessions/export",
                "/sessions/172.31.98.114"
            })
    void readBeyondTheKeysRateLimitAnswers429(String path) {
        String slowKey =
                newKey(
                                tenantId,
                                Map.of(
                                        "name",
                                        "one a minute",
                                        "scopes",
                                        List.of("sessions:read"),
                                        "rate_limit_per_minute",
                                        1))
                        .get("key")
                        .asText();
        get(path, "Authorization", "Bearer " + slowKey).expect(200);

        Http.Response refused = get(path, "Authorization", "Bearer " + slowKey).expect(429);

        assertEquals("0", refused.header("X-RateLimit-Remaining").orElseThrow());
    }

    // ---- /ingest/accounting ----

    private String ingestKey(int perMinute) {
        return newKey(
                        tenantId,
                        Map.of(
                                "name",
                                "ingest",
                                "scopes",
                                List.of("ingest"),
                                "rate_limit_per_minute",
                                perMinute))
                .get("key")
                .asText();
    }

    private String newNas() {
        return post(nasPath(venueId), Map.of("ip_address", freshNasAddress(), "secret", "s"), ADMIN)
                .expect(201)
                .json()
                .get("id")
                .asText();
    }

    private static Map<String, Object> accounting(String nasId, String type, Object... fields) {
        Map<String, Object> record = new java.util.LinkedHashMap<>();
        record.put("nas_id", nasId);
        record.put("acct_status_type", type);
        for (int i = 0; i < fields.length; i += 2) {
            record.put((String) fields[i], fields[i + 1]);
        }
        return record;
    }

    @Test
    void accountingBatchMatchesTheSpec() {
        String nas = newNas();

        post(
                        "/ingest/accounting",
                        List.of(
                                accounting(
                                        nas,
                                        "Start",
                                        "acct_session_id",
                                        "c-1",
                                        "event_time",
                                        "2024-06-01T12:00:00Z",
                                        "username",
                                        "C6D144DE",
                                        "guest_device_mac",
                                        "14:2d:27:e7:40:2b",
                                        "guest_device_ip",
                                        "10.0.0.9"),
                                accounting(
                                        nas,
                                        "Stop",
                                        "acct_session_id",
                                        "c-1",
                                        "acct_session_time",
                                        545,
                                        "acct_input_octets",
                                        900_580,
                                        "acct_output_octets",
                                        3_340_000,
                                        "acct_terminate_cause",
                                        "User-Request"),
                                accounting(nas, "Accounting-On")),
                        "Authorization",
                        "Bearer " + ingestKey(100_000))
                .expect(200);
    }

    @Test
    void accountingWithAccessPointAndIpv6FieldsMatchesTheSpec() {
        // A tenant of its own: the other tests count the shared tenant's locations and sessions.
        String tenant = newTenant("UTC");
        String nas =
                post(
                                "/admin/tenants/"
                                        + tenant
                                        + "/locations/"
                                        + newLocation(tenant, "UTC")
                                        + "/nas",
                                Map.of("ip_address", freshNasAddress(), "secret", "s"),
                                ADMIN)
                        .expect(201)
                        .json()
                        .get("id")
                        .asText();
        String key =
                newKey(tenant, Map.of("name", "ingest", "scopes", List.of("ingest")))
                        .get("key")
                        .asText();

        post(
                        "/ingest/accounting",
                        List.of(
                                accounting(
                                        nas,
                                        "Start",
                                        "acct_session_id",
                                        "c-v6",
                                        "ssid",
                                        "Hotel Guest",
                                        "ap_mac",
                                        "04:bd:88:c9:5f:f0",
                                        "ap_name",
                                        "Lobby-AP-2",
                                        "ap_group",
                                        "Floor 1",
                                        "ap_location_id",
                                        "L-1",
                                        "framed_ipv6_address",
                                        "2001:db8:60:11::7",
                                        "framed_ipv6_prefix",
                                        "2001:db8:60:11::/64",
                                        "delegated_ipv6_prefix",
                                        "2001:db8:6011:ff00::/56",
                                        "framed_interface_id",
                                        "0211:22ff:fe33:4455")),
                        "Authorization",
                        "Bearer " + key)
                .expect(200);
    }

    @Test
    void accountingWithAnotherTenantsNasAnswers400NamingIt() {
        String otherTenant = newTenant("UTC");
        String foreignNas =
                post(
                                "/admin/tenants/"
                                        + otherTenant
                                        + "/locations/"
                                        + newLocation(otherTenant, "UTC")
                                        + "/nas",
                                Map.of("ip_address", freshNasAddress(), "secret", "s"),
                                ADMIN)
                        .expect(201)
                        .json()
                        .get("id")
                        .asText();

        Http.Response r =
                post(
                                "/ingest/accounting",
                                List.of(accounting(foreignNas, "Start", "acct_session_id", "x")),
                                "Authorization",
                                "Bearer " + ingestKey(100_000))
                        .expect(400);

        assertEquals("/0/nas_id", r.json().get("errors").get(0).get("name").asText());
    }

    @Test
    void accountingWithoutKeyAnswers401() {
        post("/ingest/accounting", List.of(accounting(newNas(), "Accounting-On")))
                .expectRefusal(401, "validation.request.security.missing");
    }

    @Test
    void accountingWithAReadKeyAnswers403() {
        post("/ingest/accounting", List.of(accounting(newNas(), "Accounting-On")), readAuth())
                .expect(403);
    }

    @Test
    void accountingBeyondTheKeysRateLimitAnswers429() {
        String slow = ingestKey(1);
        String nas = newNas();
        post(
                        "/ingest/accounting",
                        List.of(accounting(nas, "Accounting-On")),
                        "Authorization",
                        "Bearer " + slow)
                .expect(200);

        post(
                        "/ingest/accounting",
                        List.of(accounting(nas, "Accounting-On")),
                        "Authorization",
                        "Bearer " + slow)
                .expect(429);
    }

    // ---- /admin/tenants ----

    @Test
    void createTenantMatchesTheSpec() {
        post("/admin/tenants", Map.of("name", "Mall of Somewhere", "time_zone", "UTC"), ADMIN)
                .expect(201);
    }

    @Test
    void tenantListMatchesTheSpec() {
        get("/admin/tenants", ADMIN).expect(200);
    }

    @Test
    void createTenantRefusesMissingFields() {
        Http.Response r =
                post("/admin/tenants", Map.of(), ADMIN)
                        .expectRefusal(400, "validation.request.body.schema.required");

        assertEquals(2, r.json().get("errors").size());
    }

    @Test
    void createTenantWithARetentionPeriodMatchesTheSpec() {
        JsonNode tenant =
                post(
                                "/admin/tenants",
                                Map.of(
                                        "name",
                                        "Short Memory",
                                        "time_zone",
                                        "UTC",
                                        "retention_months",
                                        6),
                                ADMIN)
                        .expect(201)
                        .json();

        assertEquals(6, tenant.get("retention_months").asInt());
    }

    @Test
    void createTenantRefusesARetentionPeriodOutOfRange() {
        Http.Response r =
                post(
                                "/admin/tenants",
                                Map.of(
                                        "name",
                                        "Forever",
                                        "time_zone",
                                        "UTC",
                                        "retention_months",
                                        121),
                                ADMIN)
                        .expectRefusal(400, "validation.request.body.schema.maximum");

        assertEquals("retention_months", r.json().get("errors").get(0).get("name").asText());
    }

    @Test
    void createTenantRefusesAnUnknownTimeZone() {
        // Shaped like a zone name, so only the service can tell it is none.
        post(
                        "/admin/tenants",
                        Map.of("name", "Moon Base", "time_zone", "Moon/Tranquility_Base"),
                        ADMIN)
                .expect(400);
    }

    @Test
    void bodyThatIsNotJsonAnswers400() {
        send("POST", "/admin/tenants", "application/json", "{\"name\":", ADMIN)
                .expectRefusal(400, "validation.request.body.schema.invalidJson");
    }

    @Test
    void bodyMissingAnswers400() {
        send("POST", "/admin/tenants", "application/json", null, ADMIN)
                .expectRefusal(400, "validation.request.body.missing");
    }

    // ---- /admin/tenants/{tenant_id}/locations ----

    @Test
    void createLocationMatchesTheSpec() {
        post(
                        "/admin/tenants/" + tenantId + "/locations",
                        Map.of("name", "Food Court", "time_zone", "Europe/Istanbul"),
                        ADMIN)
                .expect(201);
    }

    @Test
    void locationListMatchesTheSpec() {
        get("/admin/tenants/" + tenantId + "/locations", ADMIN).expect(200);
    }

    @Test
    void createLocationRefusesAnOverlongName() {
        post(
                        "/admin/tenants/" + tenantId + "/locations",
                        Map.of("name", "x".repeat(201), "time_zone", "UTC"),
                        ADMIN)
                .expectRefusal(400, "validation.request.body.schema.maxLength");
    }

    // ---- /sessions/{session_id}/disconnect, /coa and /control (captiva.sessions.control) ----

    private String[] controlKey() {
        return new String[] {
            "Authorization",
            "Bearer "
                    + newKey(
                                    tenantId,
                                    Map.of(
                                            "name",
                                            "control",
                                            "scopes",
                                            List.of("sessions:control"),
                                            "rate_limit_per_minute",
                                            100_000))
                            .get("key")
                            .asText()
        };
    }

    /** An online session of a NAS whose DAS is this socket, which never answers. */
    private String sessionOfASilentNas(java.net.DatagramSocket das, String acctSessionId) {
        String nas =
                post(
                                nasPath(venueId),
                                Map.of(
                                        "ip_address",
                                        freshNasAddress(),
                                        "secret",
                                        "s",
                                        "das_address",
                                        "127.0.0.1",
                                        "das_port",
                                        das.getLocalPort(),
                                        "das_secret",
                                        "das-s3cret",
                                        "tls_identity",
                                        "ap-" + UUID.randomUUID()),
                                ADMIN)
                        .expect(201)
                        .json()
                        .get("id")
                        .asText();
        post(
                        "/ingest/accounting",
                        List.of(
                                accounting(
                                        nas,
                                        "Start",
                                        "acct_session_id",
                                        acctSessionId,
                                        "username",
                                        "C6D144DE",
                                        "guest_device_mac",
                                        "14:2d:27:e7:40:2c")),
                        "Authorization",
                        "Bearer " + ingestKey(100_000))
                .expect(200);
        return get(
                        "/sessions?guest_device_mac=14:2d:27:e7:40:2c&last_session_first=true&per_page=1",
                        "Authorization",
                        "Bearer " + readKey)
                .expect(200)
                .json()
                .get("data")
                .get(0)
                .get("id")
                .asText();
    }

    @Test
    void disconnectAndCoaOutcomesAndTheHistoryMatchTheSpec() throws Exception {
        try (java.net.DatagramSocket das =
                new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            String session = sessionOfASilentNas(das, "control-" + UUID.randomUUID());
            String[] key = controlKey();

            send("POST", "/sessions/" + session + "/disconnect", null, key).expect(200);
            post("/sessions/" + session + "/coa", Map.of("session_timeout", 3600), key).expect(200);
            JsonNode history = get("/sessions/" + session + "/control", key).expect(200).json();

            assertEquals(2, history.get("data").size());
        }
    }

    @Test
    void sessionControlRefusalsMatchTheSpec() {
        String imported =
                get("/sessions?per_page=1", "Authorization", "Bearer " + readKey)
                        .expect(200)
                        .json()
                        .get("data")
                        .get(0)
                        .get("id")
                        .asText();
        String[] key = controlKey();

        send("POST", "/sessions/" + imported + "/disconnect", null, key).expect(409);
        send("POST", "/sessions/pR3zOKmvzqe/disconnect", null, key).expect(404);
        send(
                        "POST",
                        "/sessions/" + imported + "/disconnect",
                        null,
                        new String[] {"Authorization", "Bearer " + readKey})
                .expect(403);
        send("POST", "/sessions/" + imported + "/disconnect", null, new String[0])
                .expectRefusal(401, "validation.request.security.missing");
        post("/sessions/" + imported + "/coa", Map.of(), key)
                .expectRefusal(400, "validation.request.body.schema.required");
        get("/sessions/pR3zOKmvzqe/control", key).expect(404);
    }

    // ---- /admin/tenants/{tenant_id}/locations/{location_id}/nas ----

    @Test
    void registerNasMatchesTheSpec() {
        post(
                        nasPath(venueId),
                        Map.of(
                                "ip_address",
                                "198.51.100.10",
                                "secret",
                                "s3cret",
                                "identifier",
                                "ap-" + UUID.randomUUID()),
                        ADMIN)
                .expect(201);
    }

    @Test
    void nasListMatchesTheSpec() {
        String location = newLocation(tenantId, "UTC");
        post(nasPath(location), Map.of("ip_address", freshNasAddress(), "secret", "s"), ADMIN)
                .expect(201);

        JsonNode list = get(nasPath(location), ADMIN).expect(200).json();

        assertEquals(1, list.size());
        assertTrue(list.get(0).get("identifier").isNull());
    }

    @Test
    void nasAddressAlreadyRegisteredAnswers409() {
        String address = freshNasAddress();
        post(nasPath(venueId), Map.of("ip_address", address, "secret", "s"), ADMIN).expect(201);

        post(nasPath(venueId), Map.of("ip_address", address, "secret", "s"), ADMIN).expect(409);
    }

    @Test
    void registerNasRefusesBadFields() {
        Http.Response r =
                post(nasPath(venueId), Map.of("ip_address", "ap.example.com", "secret", ""), ADMIN)
                        .expectRefusal(
                                400,
                                "validation.request.body.schema.anyOf",
                                "validation.request.body.schema.minLength");

        assertEquals(2, r.json().get("errors").size());
    }

    @Test
    void changeNasMatchesTheSpec() {
        String nas =
                nasPath(venueId)
                        + "/"
                        + post(
                                        nasPath(venueId),
                                        Map.of(
                                                "ip_address",
                                                "198.51.100.12",
                                                "secret",
                                                "s",
                                                "identifier",
                                                "ap-" + UUID.randomUUID()),
                                        ADMIN)
                                .expect(201)
                                .json()
                                .get("id")
                                .asText();
        Map<String, Object> removeDas = new java.util.HashMap<>();
        removeDas.put("das_address", null);
        removeDas.put("tls_identity", null);

        send(
                        "PATCH",
                        nas,
                        Map.of(
                                "require_message_authenticator",
                                true,
                                "tls_identity",
                                "ap-" + UUID.randomUUID(),
                                "das_address",
                                "192.0.2.60",
                                "das_port",
                                3799,
                                "das_secret",
                                "d"),
                        ADMIN)
                .expect(200);
        send("PATCH", nas, removeDas, ADMIN).expect(200);
        send("PATCH", nas, Map.of("das_port", 0), ADMIN)
                .expectRefusal(400, "validation.request.body.schema.minimum");
        send("PATCH", nasPath(otherTenantsVenueId) + "/pR3zOKmvzqe", Map.of("das_port", 1), ADMIN)
                .expect(404);
    }

    @Test
    void changeNasToATakenTlsIdentityAnswers409() {
        String taken = "ap-" + UUID.randomUUID();
        post(
                        nasPath(venueId),
                        Map.of(
                                "ip_address",
                                "198.51.100.13",
                                "secret",
                                "s",
                                "identifier",
                                "ap-" + UUID.randomUUID(),
                                "tls_identity",
                                taken),
                        ADMIN)
                .expect(201);
        String nas =
                nasPath(venueId)
                        + "/"
                        + post(
                                        nasPath(venueId),
                                        Map.of(
                                                "ip_address",
                                                "198.51.100.13",
                                                "secret",
                                                "s",
                                                "identifier",
                                                "ap-" + UUID.randomUUID()),
                                        ADMIN)
                                .expect(201)
                                .json()
                                .get("id")
                                .asText();

        send("PATCH", nas, Map.of("tls_identity", taken), ADMIN).expect(409);
    }

    @Test
    void changeTenantMatchesTheSpec() {
        String tenant = newTenant("UTC");

        assertFalse(
                send(
                                "PATCH",
                                "/admin/tenants/" + tenant,
                                Map.of("end_superseded_sessions", false),
                                ADMIN)
                        .expect(200)
                        .json()
                        .get("end_superseded_sessions")
                        .asBoolean());
        send("PATCH", "/admin/tenants/" + tenant, Map.of("end_superseded_sessions", "no"), ADMIN)
                .expectRefusal(400, "validation.request.body.schema.type");
    }

    @Test
    void nasOfAnotherTenantsLocationAnswers404() {
        get(nasPath(otherTenantsVenueId), ADMIN).expect(404);
    }

    // ---- /admin/tenants/{tenant_id}/api-keys ----

    @Test
    void createApiKeyMatchesTheSpec() {
        JsonNode key =
                post(
                                "/admin/tenants/" + tenantId + "/api-keys",
                                Map.of(
                                        "name",
                                        "venue dashboard",
                                        "scopes",
                                        List.of("sessions:read", "ingest"),
                                        "location_ids",
                                        List.of(venueId),
                                        "rate_limit_per_minute",
                                        120),
                                ADMIN)
                        .expect(201)
                        .json();

        assertFalse(key.get("key").isNull());
    }

    @Test
    void apiKeyListWithUsedAndRevokedKeysMatchesTheSpec() {
        String tenant = newTenant("UTC");
        JsonNode used = newKey(tenant, Map.of("name", "used", "scopes", List.of("sessions:read")));
        get("/sessions/count", "Authorization", "Bearer " + used.get("key").asText()).expect(200);
        JsonNode revoked = newKey(tenant, Map.of("name", "revoked", "scopes", List.of("ingest")));
        delete("/admin/tenants/" + tenant + "/api-keys/" + revoked.get("id").asText(), ADMIN)
                .expect(204);

        JsonNode list = get("/admin/tenants/" + tenant + "/api-keys", ADMIN).expect(200).json();

        assertFalse(list.get(0).get("last_used_at").isNull());
        assertFalse(list.get(1).get("revoked_at").isNull());
    }

    @Test
    void createApiKeyRefusesBadFields() {
        Http.Response r =
                post(
                                "/admin/tenants/" + tenantId + "/api-keys",
                                Map.of(
                                        "name",
                                        "k",
                                        "scopes",
                                        List.of("sessions:write"),
                                        "rate_limit_per_minute",
                                        0),
                                ADMIN)
                        .expectRefusal(
                                400,
                                "validation.request.body.schema.enum",
                                "validation.request.body.schema.minimum");

        assertEquals(2, r.json().get("errors").size());
    }

    @Test
    void createApiKeyRefusesALocationOfAnotherTenant() {
        // A well-formed id: only the service knows whose it is.
        post(
                        "/admin/tenants/" + tenantId + "/api-keys",
                        Map.of(
                                "name",
                                "k",
                                "scopes",
                                List.of("sessions:read"),
                                "location_ids",
                                List.of(otherTenantsVenueId)),
                        ADMIN)
                .expect(400);
    }

    @Test
    void revokeApiKeyAnswers204() {
        String keyId =
                newKey(tenantId, Map.of("name", "short lived", "scopes", List.of("ingest")))
                        .get("id")
                        .asText();

        delete("/admin/tenants/" + tenantId + "/api-keys/" + keyId, ADMIN).expect(204);
    }

    @Test
    void revokingARevokedKeyAnswers404() {
        String keyId =
                newKey(tenantId, Map.of("name", "twice", "scopes", List.of("ingest")))
                        .get("id")
                        .asText();
        delete("/admin/tenants/" + tenantId + "/api-keys/" + keyId, ADMIN).expect(204);

        delete("/admin/tenants/" + tenantId + "/api-keys/" + keyId, ADMIN).expect(404);
    }

    // ---- /admin/tenants/{tenant_id}/sessions ----

    @Test
    void importSessionsMatchesTheSpec() {
        JsonNode ids =
                post(
                                "/admin/tenants/" + tenantId + "/sessions",
                                List.of(
                                        record(
                                                venueId,
                                                "2020-02-02T10:00:00Z",
                                                "2020-02-02T11:00:00+01:00")),
                                ADMIN)
                        .expect(201)
                        .json();

        assertEquals(1, ids.get("ids").size());
    }

    @Test
    void importRefusesBadRecordsNamingEachField() {
        Map<String, Object> bad = new LinkedHashMap<>();
        bad.put("start_time", "5 Jan 2017");
        bad.put("uploaded_bytes", -1);

        Http.Response r =
                post("/admin/tenants/" + tenantId + "/sessions", List.of(bad), ADMIN)
                        .expectRefusal(
                                400,
                                "validation.request.body.schema.required",
                                "validation.request.body.schema.format.date-time",
                                "validation.request.body.schema.minimum");

        assertEquals(3, r.json().get("errors").size());
    }

    @Test
    void importRefusesAnEmptyList() {
        post("/admin/tenants/" + tenantId + "/sessions", List.of(), ADMIN)
                .expectRefusal(400, "validation.request.body.schema.minItems");
    }

    // ---- /admin/tenants/{tenant_id}/guests/erase ----

    @Test
    void eraseGuestMatchesTheSpec() {
        String tenant = newTenant("UTC");
        String venue = newLocation(tenant, "UTC");
        importSessions(
                tenant,
                record(
                        venue,
                        "2020-02-02T10:00:00Z",
                        "2020-02-02T11:00:00Z",
                        "username",
                        "R101",
                        "guest",
                        Map.of("name", "Ada", "email", "ada@example.com")));

        JsonNode erased =
                post(
                                "/admin/tenants/" + tenant + "/guests/erase",
                                Map.of("email", "ada@example.com"),
                                ADMIN)
                        .expect(200)
                        .json();

        assertEquals(1, erased.get("guests").asInt());
        assertEquals(1, erased.get("sessions_unlinked").asInt());
    }

    @Test
    void erasingAnUnknownGuestAnswers404() {
        post(
                        "/admin/tenants/" + tenantId + "/guests/erase",
                        Map.of("yas_id", "nobody-" + unique()),
                        ADMIN)
                .expect(404);
    }

    @Test
    void erasingAnotherTenantsGuestAnswers404() {
        post(
                        "/admin/tenants/" + newTenant("UTC") + "/guests/erase",
                        Map.of("guest_id", referenceGuestId),
                        ADMIN)
                .expect(404);
    }

    @Test
    void eraseRefusesTwoWaysOfNamingTheGuest() {
        post(
                        "/admin/tenants/" + tenantId + "/guests/erase",
                        Map.of("email", "a@example.com", "yas_id", "y"),
                        ADMIN)
                .expectRefusal(400, "validation.request.body.schema.maxProperties");
    }

    @Test
    void eraseRefusesABodyNamingNoGuest() {
        post("/admin/tenants/" + tenantId + "/guests/erase", Map.of(), ADMIN)
                .expectRefusal(400, "validation.request.body.schema.minProperties");
    }

    @Test
    void eraseRefusesAnEmptyEmail() {
        post("/admin/tenants/" + tenantId + "/guests/erase", Map.of("email", ""), ADMIN)
                .expectRefusal(400, "validation.request.body.schema.minLength");
    }

    // ---- what every admin operation answers ----

    /** One admin operation, with a body the spec accepts where it takes one. */
    record AdminCall(String method, String path, @Nullable Object body) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    Stream<AdminCall> adminOperations() {
        return Stream.of(
                new AdminCall("POST", "/admin/tenants", Map.of("name", "t", "time_zone", "UTC")),
                new AdminCall("GET", "/admin/tenants", null),
                new AdminCall(
                        "POST",
                        "/admin/tenants/{t}/locations",
                        Map.of("name", "l", "time_zone", "UTC")),
                new AdminCall("GET", "/admin/tenants/{t}/locations", null),
                new AdminCall(
                        "POST",
                        "/admin/tenants/{t}/locations/{l}/nas",
                        Map.of("ip_address", "192.0.2.1", "secret", "s")),
                new AdminCall("GET", "/admin/tenants/{t}/locations/{l}/nas", null),
                new AdminCall(
                        "PATCH",
                        "/admin/tenants/{t}/locations/{l}/nas/{n}",
                        Map.of("require_message_authenticator", true)),
                new AdminCall(
                        "PATCH", "/admin/tenants/{t}", Map.of("end_superseded_sessions", true)),
                new AdminCall(
                        "POST",
                        "/admin/tenants/{t}/api-keys",
                        Map.of("name", "k", "scopes", List.of("ingest"))),
                new AdminCall("GET", "/admin/tenants/{t}/api-keys", null),
                new AdminCall("DELETE", "/admin/tenants/{t}/api-keys/{k}", null),
                new AdminCall(
                        "POST",
                        "/admin/tenants/{t}/sessions",
                        List.of(record(venueId, "2020-02-02T10:00:00Z", null))),
                new AdminCall(
                        "POST",
                        "/admin/tenants/{t}/guests/erase",
                        Map.of("email", "nobody@example.com")));
    }

    Stream<AdminCall> adminOperationsUnderATenant() {
        return adminOperations().filter(call -> call.path().contains("{t}"));
    }

    Stream<AdminCall> adminOperationsWithABody() {
        return adminOperations().filter(call -> call.body() != null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adminOperations")
    void adminWithoutTokenAnswers401(AdminCall call) {
        send(call.method(), under(tenantId, call.path()), call.body())
                .expectRefusal(401, "validation.request.security.missing");
    }

    @Test
    void adminWithAnApiKeyInsteadOfTheTokenAnswers401() {
        get("/admin/tenants", readAuth()).expect(401);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adminOperationsUnderATenant")
    void unknownTenantAnswers404(AdminCall call) {
        send(call.method(), under("pR3zOKmvzqe", call.path()), call.body(), ADMIN).expect(404);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adminOperationsWithABody")
    void bodyOfAnotherMediaTypeAnswers415(AdminCall call) {
        send(
                        call.method(),
                        under(tenantId, call.path()),
                        "text/plain",
                        Http.JSON.valueToTree(call.body()).toString(),
                        ADMIN)
                .expectRefusal(415, "validation.request.contentType.notAllowed");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adminOperationsWithABody")
    void bodyOverTwoMegabytesAnswers413(AdminCall call) {
        String huge = "[\"" + "x".repeat(2_200_000) + "\"]";

        send(call.method(), under(tenantId, call.path()), "application/json", huge, ADMIN)
                .expectRefusal(413, "validation.request.body.schema.type");
    }

    @Test
    void repeatedAuthenticationFailuresAnswer429() {
        // Time stands still: on a slow machine 31 requests take long enough for the bucket to
        // refill.
        clock.freezeAt(clock.instant());
        try {
            for (int attempt = 0; attempt <= 30; attempt++) {
                Exchange failure = get("/admin/tenants", "Authorization", "Bearer wrong");
                if (failure.response().status() == 429) {
                    failure.expect(429);
                    return;
                }
                failure.expect(401);
            }
            fail("no 429 after 30 failed authentications");
        } finally {
            // Refill the address's bucket, so that later tests see 401s again.
            clock.reset();
            clock.advance(Duration.ofSeconds(61));
        }
    }

    // ---- health ----

    @ParameterizedTest
    @ValueSource(strings = {"/health", "/health/liveness", "/health/readiness"})
    void healthChecksMatchTheSpec(String path) {
        get(path).expect(200);
    }

    @Test
    void theRootSendsBrowsersToTheConsoleAsTheSpecSays() {
        get("/", "Accept", "text/html,application/xhtml+xml,*/*;q=0.8").expect(303);
    }

    // ---- the event log (captiva.events) ----

    @Inject captiva.events.EventSequencer eventSequencer;

    @Test
    void eventPagesMatchTheSpecForEveryType() {
        String tenant = newTenant("Europe/London");
        String venue = newLocation(tenant, "Europe/London");
        String[] key = {
            "Authorization",
            "Bearer "
                    + newKey(
                                    tenant,
                                    Map.of(
                                            "name",
                                            "sync",
                                            "scopes",
                                            List.of("sessions:read"),
                                            "rate_limit_per_minute",
                                            100_000))
                            .get("key")
                            .asText()
        };
        get("/events", key).expect(200);
        importSessions(
                tenant,
                record(
                        venue,
                        "2026-12-01T10:00:00+00:00",
                        "2026-12-01T11:00:00+00:00",
                        "username",
                        "C6D144DE",
                        "guest_device_mac",
                        "14-2D-27-E7-40-2B",
                        "guest_device_ip",
                        "10.0.0.7",
                        "guest",
                        Map.of("name", "Shagun Goel", "email", "shagun1486@outlook.com")),
                record(venue, "2026-12-01T10:30:00+00:00", null));
        post(
                        "/admin/tenants/" + tenant + "/guests/erase",
                        Map.of("email", "shagun1486@outlook.com"),
                        ADMIN)
                .expect(200);
        eventSequencer.sequence();

        JsonNode page = get("/events?per_page=10", key).expect(200).json();

        assertEquals(4, page.get("data").size(), page::toString);
        get("/events?types=session.ended&after=" + page.get("data").get(0).get("id").asText(), key)
                .expect(200);
    }

    @Test
    void eventsRefuseAnUnknownTypeAndAForeignPosition() {
        get("/events?types=session.paused", readAuth()).expect(400);
        get("/events?after=pR3zOKmvzqe", readAuth()).expect(400);
    }

    @Test
    void theStreamsRefusalsAndItsHeadMatchTheSpec() {
        send("HEAD", "/events/stream", null, null, readAuth()).expect(200);
        get("/events/stream", "Authorization", "Bearer " + readKey, "Last-Event-ID", "pR3zOKmvzqe")
                .expect(400);
        get("/events/stream", "Authorization", "Bearer " + readKey, "Accept", "application/json")
                .expectRefusal(406, "validation.request.accept.notAllowed");
        get("/events/stream").expectRefusal(401, "validation.request.security.missing");
        get("/events/stream", "Authorization", "Bearer " + ingestKey).expect(403);
    }

    /** The stream's messages, read as a client reads them: each data line matches its schema. */
    @Test
    void streamedEventsAndOnlineCountsMatchTheSpec() throws Exception {
        String tenant = newTenant("Europe/London");
        String venue = newLocation(tenant, "Europe/London");
        String key =
                newKey(
                                tenant,
                                Map.of(
                                        "name",
                                        "live",
                                        "scopes",
                                        List.of("sessions:read"),
                                        "rate_limit_per_minute",
                                        100_000))
                        .get("key")
                        .asText();
        java.net.http.HttpResponse<java.util.stream.Stream<String>> response =
                java.net.http.HttpClient.newHttpClient()
                        .send(
                                java.net.http.HttpRequest.newBuilder(http().uri("/events/stream"))
                                        .header("X-API-Key", key)
                                        .header("Accept", "text/event-stream")
                                        .build(),
                                java.net.http.HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, response.statusCode());
        assertTrue(
                response.headers()
                        .firstValue("Content-Type")
                        .orElse("")
                        .startsWith("text/event-stream"));
        try (java.util.stream.Stream<String> lines = response.body()) {
            java.util.Iterator<String> it = lines.iterator();
            Map<String, String> seen = new LinkedHashMap<>();
            String event = null;
            while (seen.size() < 2 && it.hasNext()) {
                String line = it.next();
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    seen.put(event, line.substring(6));
                    if (event.equals("online.counts") && seen.size() == 1) {
                        importSessions(
                                tenant,
                                record(
                                        venue,
                                        Instant.now().minusSeconds(60).toString(),
                                        null,
                                        "username",
                                        "C6D144DE"));
                        eventSequencer.sequence();
                    }
                }
            }
            assertEquals(List.of("online.counts", "session.started"), List.copyOf(seen.keySet()));
            for (Map.Entry<String, String> message : seen.entrySet()) {
                String schema = message.getKey().equals("online.counts") ? "OnlineCounts" : "Event";
                ValidationReport report =
                        schemas.validate(
                                message.getValue(),
                                spec.getComponents().getSchemas().get(schema),
                                "data");
                assertTrue(
                        report.getMessages().isEmpty(),
                        () -> message + "\ndoes not match " + schema + ":\n" + describe(report));
            }
        }
    }

    @Test
    void webhookOperationsAndTheBodiesAReceiverGetsMatchTheSpec() {
        String tenant = newTenant("Europe/London");
        String venue = newLocation(tenant, "Europe/London");
        String[] manager = {
            "Authorization",
            "Bearer "
                    + newKey(
                                    tenant,
                                    Map.of(
                                            "name",
                                            "crm",
                                            "scopes",
                                            List.of("webhooks:manage"),
                                            "rate_limit_per_minute",
                                            100_000))
                            .get("key")
                            .asText()
        };
        try (captiva.events.webhooks.Receiver receiver = new captiva.events.webhooks.Receiver()) {
            String admin = "/admin/tenants/" + tenant + "/webhooks";
            JsonNode created =
                    post(
                                    admin,
                                    Map.of(
                                            "url",
                                            receiver.url(),
                                            "event_types",
                                            List.of("session.started", "session.ended")),
                                    ADMIN)
                            .expect(201)
                            .json();
            String one = admin + "/" + created.get("id").asText();
            get(admin, ADMIN).expect(200);
            get(one, ADMIN).expect(200);
            send(
                            "PATCH",
                            one,
                            Map.of(
                                    "event_types",
                                    List.of("session.started", "session.ended", "guest.erased")),
                            ADMIN)
                    .expect(200);
            send("POST", one + "/ping", null, ADMIN).expect(200);
            importSessions(
                    tenant,
                    record(
                            venue,
                            "2026-12-01T10:00:00+00:00",
                            "2026-12-01T11:00:00+00:00",
                            "username",
                            "C6D144DE"));
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> receiver.received().size() >= 3);
            for (captiva.events.webhooks.Receiver.Received r : receiver.received()) {
                assertDeliveredAsXWebhooksSays(r.headers(), r.body());
            }
            get(one + "/attempts", ADMIN).expect(200);
            post(
                            one + "/redeliver",
                            Map.of("event_id", receiver.received().get(1).header("webhook-id")),
                            ADMIN)
                    .expect(202);
            post(one + "/redeliver", Map.of(), ADMIN).expect(400);
            post(
                            admin,
                            Map.of(
                                    "url",
                                    "ftp://127.0.0.1/",
                                    "event_types",
                                    List.of("session.started")),
                            ADMIN)
                    .expect(400);

            JsonNode own =
                    post(
                                    "/webhooks",
                                    Map.of(
                                            "url",
                                            receiver.url(),
                                            "event_types",
                                            List.of("login.created"),
                                            "location_ids",
                                            List.of(venue)),
                                    manager)
                            .expect(201)
                            .json();
            get("/webhooks", manager).expect(200);
            get("/webhooks/" + own.get("id").asText(), manager).expect(200);
            get("/webhooks/" + own.get("id").asText() + "/attempts", manager).expect(200);
            send("POST", "/webhooks/" + own.get("id").asText() + "/ping", null, manager)
                    .expect(200);
            send(
                            "PATCH",
                            "/webhooks/" + own.get("id").asText(),
                            Map.of("event_types", List.of("bogus")),
                            manager)
                    .expectRefusal(400, "validation.request.body.schema.enum");
            get("/webhooks/" + created.get("id").asText() + "x", manager).expect(404);
            get("/webhooks", readAuth()).expect(403);
            delete("/webhooks/" + own.get("id").asText(), manager).expect(204);
            delete(one, ADMIN).expect(204);
        }
    }

    /**
     * Holds a body and headers a receiver got to the spec's {@code x-webhooks} entry for its type:
     * the entry exists, each header it requires was sent, and the body matches its schema. (The
     * spec is OpenAPI 3.0.3, where webhooks are an extension: the validator library checks a 3.1
     * document's schemas without their types, docs/events.md.)
     */
    @SuppressWarnings("unchecked")
    private void assertDeliveredAsXWebhooksSays(Map<String, List<String>> headers, String body) {
        String type = parse(body).get("type").asText();
        Map<String, Object> webhooks = (Map<String, Object>) spec.getExtensions().get("x-webhooks");
        assertNotNull(webhooks, "openapi.yml has no x-webhooks");
        Map<String, Object> entry = (Map<String, Object>) webhooks.get(type);
        assertNotNull(entry, "x-webhooks does not describe " + type);
        Map<String, Object> post = (Map<String, Object>) entry.get("post");
        for (Object parameter : (List<Object>) post.get("parameters")) {
            Map<String, Object> header = (Map<String, Object>) parameter;
            if (Boolean.TRUE.equals(header.get("required"))) {
                String name = (String) header.get("name");
                assertTrue(
                        headers.keySet().stream().anyMatch(name::equalsIgnoreCase),
                        type + " was sent without " + name);
            }
        }
        Map<String, Object> json =
                (Map<String, Object>)
                        ((Map<String, Object>)
                                        ((Map<String, Object>) post.get("requestBody"))
                                                .get("content"))
                                .get("application/json");
        String ref = (String) ((Map<String, Object>) json.get("schema")).get("$ref");
        String name = ref.substring(ref.lastIndexOf('/') + 1);
        ValidationReport report =
                schemas.validate(body, spec.getComponents().getSchemas().get(name), "webhook.body");
        assertTrue(
                report.getMessages().isEmpty(),
                () ->
                        body
                                + "\ndoes not match x-webhooks "
                                + type
                                + " ("
                                + name
                                + "):\n"
                                + describe(report));
    }

    private static JsonNode parse(String body) {
        try {
            return Http.JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    @Test
    void xWebhooksDescribesEveryEventTypeAndThePing() {
        @SuppressWarnings("unchecked")
        Map<String, Object> webhooks = (Map<String, Object>) spec.getExtensions().get("x-webhooks");

        Set<String> expected = new TreeSet<>();
        for (captiva.events.EventType type : captiva.events.EventType.values()) {
            expected.add(type.wireName());
        }
        expected.add("webhook.ping");
        assertEquals(expected, new TreeSet<>(webhooks.keySet()));
    }

    // ---- what the framework answers outside the spec's paths ----

    @Test
    void unknownPathAnswersANotFoundProblem() {
        get("/visitors").expectOutsideSpec(404, "validation.request.path.missing", "NotFound");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/info", "/beans", "/routes", "/flyway", "/threaddump"})
    void managementEndpointsOtherThanHealthAreNotServed(String path) {
        get(path).expectOutsideSpec(404, "validation.request.path.missing", "NotFound");
    }

    @Test
    void browsersGetProblemsToo() {
        get("/visitors", "Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
                .expectOutsideSpec(404, "validation.request.path.missing", "NotFound");
    }

    @Test
    void unservedMethodAnswersAMethodNotAllowedProblem() {
        send("DELETE", "/sessions", null, readAuth())
                .expectOutsideSpec(
                        405, "validation.request.operation.notAllowed", "MethodNotAllowed");
    }

    // ---- sending and checking ----

    /** A request and its answer, each with what the validator found wrong with it. */
    private final class Exchange {
        private final String call;
        private final Http.Response response;
        private final ValidationReport requestReport;
        private final SimpleResponse answer;
        private final String path;
        private final Request.Method method;

        Exchange(
                String call,
                Http.Response response,
                ValidationReport requestReport,
                SimpleResponse answer,
                String path,
                Request.Method method) {
            this.call = call;
            this.response = response;
            this.requestReport = requestReport;
            this.answer = answer;
            this.path = path;
            this.method = method;
        }

        Http.Response response() {
            return response;
        }

        /** A request the spec allows, answered with this status exactly as the spec says. */
        Http.Response expect(int status) {
            return expectRefusal(status);
        }

        /**
         * Answered with this status exactly as the spec says, to a request that breaks exactly
         * these rules of the spec (message keys); none when the spec cannot express what is wrong
         * with it.
         */
        Http.Response expectRefusal(int status, String... specViolations) {
            assertStatus(status);
            assertEquals(
                    new TreeSet<>(List.of(specViolations)),
                    new TreeSet<>(keys(requestReport)),
                    () ->
                            call
                                    + ": the request broke other rules of the spec than expected\n"
                                    + describe(requestReport));
            ValidationReport report = validator.validateResponse(path, method, answer);
            assertTrue(
                    report.getMessages().isEmpty(),
                    () ->
                            call
                                    + " -> "
                                    + response.status()
                                    + " "
                                    + abbreviate(response.body())
                                    + "\ndoes not match openapi.yml:\n"
                                    + describe(report));
            assertProblemStatus();
            return response;
        }

        /**
         * For a path or method the spec does not have: the request is flagged as such, and the
         * answer matches the spec's reusable response {@code componentResponse}.
         */
        Http.Response expectOutsideSpec(
                int status, String specViolation, String componentResponse) {
            assertStatus(status);
            assertEquals(
                    Set.of(specViolation),
                    new TreeSet<>(keys(requestReport)),
                    () -> describe(requestReport));
            ApiResponse expected = spec.getComponents().getResponses().get(componentResponse);
            if (expected.getHeaders() != null) {
                for (Map.Entry<String, Header> header : expected.getHeaders().entrySet()) {
                    assertTrue(
                            !Boolean.TRUE.equals(header.getValue().getRequired())
                                    || response.header(header.getKey()).isPresent(),
                            () -> call + ": no " + header.getKey() + " header");
                }
            }
            String contentType = response.contentType().split(";")[0].trim();
            MediaType media = expected.getContent().get(contentType);
            assertNotNull(media, () -> call + ": answered as " + contentType);
            ValidationReport report =
                    schemas.validate(response.body(), media.getSchema(), "response.body");
            assertTrue(
                    report.getMessages().isEmpty(),
                    () ->
                            call
                                    + " -> "
                                    + abbreviate(response.body())
                                    + "\ndoes not match openapi.yml:\n"
                                    + describe(report));
            assertProblemStatus();
            return response;
        }

        private void assertStatus(int status) {
            assertEquals(
                    status, response.status(), () -> call + " -> " + abbreviate(response.body()));
        }

        private void assertProblemStatus() {
            if (response.contentType().startsWith(PROBLEM_JSON)) {
                assertEquals(
                        response.status(),
                        response.json().get("status").asInt(),
                        () -> call + ": problem status");
            }
        }
    }

    private Exchange get(String target, String... headers) {
        return send("GET", target, null, null, headers);
    }

    private Exchange post(String target, Object body, String... headers) {
        return send("POST", target, body, headers);
    }

    private Exchange delete(String target, String... headers) {
        return send("DELETE", target, null, null, headers);
    }

    private Exchange send(String method, String target, @Nullable Object body, String... headers) {
        return body == null
                ? send(method, target, null, null, headers)
                : send(
                        method,
                        target,
                        "application/json",
                        Http.JSON.valueToTree(body).toString(),
                        headers);
    }

    /** Sends the request to the service, and checks the request against the spec on the way. */
    private Exchange send(
            String method,
            String target,
            @Nullable String contentType,
            @Nullable String body,
            String... headers) {
        Http http = http();
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(http.uri(target))
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        Http.Response response = http.send(builder, headers);

        URI uri = http.uri(target);
        SimpleRequest.Builder request = new SimpleRequest.Builder(method, uri.getPath());
        query(uri.getRawQuery()).forEach(request::withQueryParam);
        for (int i = 0; i < headers.length; i += 2) {
            request.withHeader(headers[i], headers[i + 1]);
        }
        if (contentType != null) {
            request.withContentType(contentType);
        }
        if (body != null) {
            request.withBody(body);
        }
        SimpleResponse.Builder answer = new SimpleResponse.Builder(response.status());
        response.raw().headers().map().forEach(answer::withHeader);
        if (!response.body().isEmpty()) {
            answer.withBody(response.body());
        }
        String call = method + " " + abbreviate(target);
        return new Exchange(
                call,
                response,
                validator.validateRequest(request.build()),
                answer.build(),
                uri.getPath(),
                Request.Method.valueOf(method));
    }

    private static Map<String, List<String>> query(@Nullable String rawQuery) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            String[] nameValue = pair.split("=", 2);
            params.computeIfAbsent(
                            URLDecoder.decode(nameValue[0], StandardCharsets.UTF_8),
                            n -> new ArrayList<>())
                    .add(
                            nameValue.length > 1
                                    ? URLDecoder.decode(nameValue[1], StandardCharsets.UTF_8)
                                    : "");
        }
        return params;
    }

    // ---- routes ----

    /**
     * "METHOD /path/{param}" for every route, HEAD included: Micronaut answers HEAD wherever it
     * answers GET, and a client validating against the spec (Prism) needs each declared.
     */
    private Set<String> servedOperations() {
        return router.uriRoutes()
                .map(r -> r.getHttpMethodName() + " " + r.getUriMatchTemplate())
                .collect(Collectors.toSet());
    }

    /** Every operation of the spec by "METHOD /path". */
    private Map<String, io.swagger.v3.oas.models.Operation> operations() {
        Map<String, io.swagger.v3.oas.models.Operation> operations = new LinkedHashMap<>();
        spec.getPaths()
                .forEach(
                        (path, item) ->
                                item.readOperationsMap()
                                        .forEach(
                                                (method, operation) ->
                                                        operations.put(
                                                                method.name() + " " + path,
                                                                operation)));
        return operations;
    }

    /** Whether the operation (for HEAD: its GET) answers success as JSON. */
    private boolean answersJson(String name) {
        String path = name.substring(name.indexOf(' ') + 1);
        io.swagger.v3.oas.models.Operation operation =
                operations().get(name.startsWith("HEAD ") ? "GET " + path : name);
        return operation != null
                && operation.getResponses().entrySet().stream()
                        .anyMatch(
                                r ->
                                        r.getKey().startsWith("2")
                                                && r.getValue().getContent() != null
                                                && r.getValue()
                                                        .getContent()
                                                        .containsKey("application/json"));
    }

    private Set<String> documentedOperations() {
        Set<String> operations = new TreeSet<>();
        spec.getPaths()
                .forEach(
                        (path, item) ->
                                item.readOperationsMap()
                                        .keySet()
                                        .forEach(
                                                method ->
                                                        operations.add(
                                                                method.name() + " " + path)));
        return operations;
    }

    // ---- data, made through the admin API ----

    private String newTenant(String timeZone) {
        return post(
                        "/admin/tenants",
                        Map.of("name", "Tenant " + unique(), "time_zone", timeZone),
                        ADMIN)
                .expect(201)
                .json()
                .get("id")
                .asText();
    }

    private String newLocation(String tenant, String timeZone) {
        return post(
                        "/admin/tenants/" + tenant + "/locations",
                        Map.of("name", "Venue " + unique(), "time_zone", timeZone),
                        ADMIN)
                .expect(201)
                .json()
                .get("id")
                .asText();
    }

    private JsonNode newKey(String tenant, Map<String, Object> body) {
        return post("/admin/tenants/" + tenant + "/api-keys", body, ADMIN).expect(201).json();
    }

    private void importSessions(String tenant, Map<?, ?>... records) {
        post("/admin/tenants/" + tenant + "/sessions", List.of(records), ADMIN).expect(201);
    }

    private static Map<String, Object> record(
            String location, String start, @Nullable String end, Object... fields) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("location_id", location);
        record.put("start_time", start);
        record.put("end_time", end);
        for (int i = 0; i < fields.length; i += 2) {
            record.put((String) fields[i], fields[i + 1]);
        }
        return record;
    }

    /**
     * NAS addresses are unique across the platform, and the test database is shared by every test
     * class.
     */
    private static String freshNasAddress() {
        UUID random = UUID.randomUUID();
        return String.format(
                "2001:db8:%x:%x::%x",
                random.getMostSignificantBits() & 0xffff,
                random.getLeastSignificantBits() & 0xffff,
                (random.getLeastSignificantBits() >>> 16) & 0xffff);
    }

    private String nasPath(String location) {
        return "/admin/tenants/" + tenantId + "/locations/" + location + "/nas";
    }

    /**
     * Fills the path's placeholders: {t} the tenant, {l} the venue, {k} a fresh key of the venue's
     * tenant.
     */
    private String under(String tenant, String path) {
        String filled = path.replace("{t}", tenant).replace("{l}", venueId);
        if (filled.contains("{n}")) {
            filled =
                    filled.replace(
                            "{n}",
                            post(
                                            nasPath(venueId),
                                            Map.of(
                                                    "ip_address",
                                                    "198.51.100.11",
                                                    "secret",
                                                    "s",
                                                    "identifier",
                                                    "ap-" + UUID.randomUUID()),
                                            ADMIN)
                                    .expect(201)
                                    .json()
                                    .get("id")
                                    .asText());
        }
        if (filled.contains("{k}")) {
            filled =
                    filled.replace(
                            "{k}",
                            newKey(
                                            tenantId,
                                            Map.of(
                                                    "name",
                                                    "to revoke",
                                                    "scopes",
                                                    List.of("ingest")))
                                    .get("id")
                                    .asText());
        }
        return filled;
    }

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private static int unique() {
        return SEQUENCE.incrementAndGet();
    }

    private String[] readAuth() {
        return new String[] {"Authorization", "Bearer " + readKey};
    }

    private String[] ingestAuth() {
        return new String[] {"X-API-Key", ingestKey};
    }

    private static Map<String, Object> loginAt(String location, Object... fields) {
        Map<String, Object> login = new LinkedHashMap<>();
        login.put("location_id", location);
        for (int i = 0; i < fields.length; i += 2) {
            login.put((String) fields[i], fields[i + 1]);
        }
        return login;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String text) {
        return text.length() <= 1000 ? text : text.substring(0, 1000) + "…";
    }

    // ---- reports ----

    private static SimpleResponse.Builder rateLimited(SimpleResponse.Builder response) {
        return response.withHeader("X-RateLimit-Limit", "60")
                .withHeader("X-RateLimit-Remaining", "59")
                .withHeader("X-RateLimit-Reset", "1");
    }

    private static List<String> keys(ValidationReport report) {
        return report.getMessages().stream().map(ValidationReport.Message::getKey).toList();
    }

    private static String describe(ValidationReport report) {
        StringBuilder text = new StringBuilder();
        for (ValidationReport.Message m : report.getMessages()) {
            text.append("  [")
                    .append(m.getLevel())
                    .append("] ")
                    .append(m.getKey())
                    .append(": ")
                    .append(m.getMessage());
            m.getAdditionalInfo().forEach(info -> text.append("\n      ").append(info));
            m.getNestedMessages()
                    .forEach(
                            n ->
                                    text.append("\n      ")
                                            .append(n.getKey())
                                            .append(": ")
                                            .append(n.getMessage()));
            text.append('\n');
        }
        return text.isEmpty() ? "  (no messages)" : text.toString();
    }
}
