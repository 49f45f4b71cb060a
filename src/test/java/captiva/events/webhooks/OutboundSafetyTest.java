package captiva.events.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Without allow-private-targets (production), endpoints inside the platform's own network are
 * refused.
 */
@MicronautTest(transactional = false)
@DisplayName("Webhooks: outbound safety")
class OutboundSafetyTest extends ApiTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://127.0.0.1/hook",
                "https://[::1]/hook",
                "https://10.1.2.3/hook",
                "https://169.254.169.254/latest/meta-data",
                "https://localhost:8443/hook",
                "http://example.com/hook",
                "https://192.168.1.1/",
                "https://[fd00:ec2::254]/",
                "https://user:pw@example.com/",
                "ftp://example.com/"
            })
    void aTargetInsideTheNetworkOrNotHttpsIsRefusedNamingUrl(String url) {
        Tenant tenant = given().tenant();

        Http.Response r =
                http().post(
                                "/admin/tenants/" + tenant.id() + "/webhooks",
                                Map.of("url", url, "event_types", List.of("session.started")),
                                Fixtures.admin());

        assertEquals(400, r.status(), r::body);
        assertEquals("url", r.json().get("errors").get(0).get("name").asText());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "127.0.0.1",
                "::1",
                "10.0.0.1",
                "172.16.5.4",
                "169.254.169.254",
                "100.64.0.1",
                "0.0.0.0",
                "fe80::1"
            })
    void theSenderRefusesToConnectToAnInternalAddress(String address) throws Exception {
        OutboundTargets targets =
                new OutboundTargets(
                        new WebhookProperties(
                                false,
                                java.time.Duration.ofSeconds(10),
                                java.time.Duration.ofSeconds(5),
                                java.time.Duration.ofHours(4),
                                java.time.Duration.ofHours(24),
                                1,
                                java.time.Duration.ofSeconds(1),
                                java.time.Duration.ofSeconds(60)));
        WebhookSender sender =
                new WebhookSender(
                        targets,
                        new WebhookProperties(
                                false,
                                java.time.Duration.ofSeconds(10),
                                java.time.Duration.ofSeconds(5),
                                java.time.Duration.ofHours(4),
                                java.time.Duration.ofHours(24),
                                1,
                                java.time.Duration.ofSeconds(1),
                                java.time.Duration.ofSeconds(60)));
        String host = address.contains(":") ? "[" + address + "]" : address;

        WebhookSender.Answer answer =
                sender.post("https://" + host + "/hook", Map.of(), new byte[0]);

        assertEquals(null, answer.status());
        assertEquals(true, answer.error().startsWith("refused target"), answer.error());
    }
}
