package captiva.events.webhooks;

import captiva.common.OpaqueIds;
import captiva.common.format.Formats;
import captiva.common.problem.ApiProblem;
import captiva.events.webhooks.WebhookViews.AttemptList;
import captiva.events.webhooks.WebhookViews.AttemptView;
import captiva.events.webhooks.WebhookViews.Redelivery;
import captiva.events.webhooks.WebhookViews.WebhookBody;
import captiva.events.webhooks.WebhookViews.WebhookList;
import captiva.events.webhooks.WebhookViews.WebhookView;
import captiva.tenancy.TenantScope;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What both webhook controllers do, for a scope: the admin's whole tenant, or a key's. */
@Singleton
class WebhookApi {

    static final int ATTEMPTS_LISTED = 100;

    private final WebhookEndpoints endpoints;
    private final WebhookDispatcher dispatcher;
    private final WebhookSender sender;
    private final OpaqueIds ids;
    private final Clock clock;

    WebhookApi(
            WebhookEndpoints endpoints,
            WebhookDispatcher dispatcher,
            WebhookSender sender,
            OpaqueIds ids,
            Clock clock) {
        this.endpoints = endpoints;
        this.dispatcher = dispatcher;
        this.sender = sender;
        this.ids = ids;
        this.clock = clock;
    }

    WebhookView create(TenantScope scope, @Nullable WebhookBody body) {
        WebhookBody b = body != null ? body : new WebhookBody(null, null, null, null);
        if (Boolean.FALSE.equals(b.enabled())) {
            throw ApiProblem.InvalidParameters.of(
                    "enabled", "a new endpoint is enabled; pause it with a change once created");
        }
        WebhookEndpoints.Spec spec =
                endpoints.check(scope, b.url(), b.eventTypes(), b.locationIds(), null, null);
        WebhookEndpoints.Created created = endpoints.create(scope, spec);
        return view(created.endpoint(), created.secret());
    }

    WebhookList list(TenantScope scope) {
        return new WebhookList(endpoints.list(scope).stream().map(e -> view(e, null)).toList());
    }

    WebhookView get(TenantScope scope, String webhookId) {
        return view(endpoints.get(scope, webhookId), null);
    }

    WebhookView update(TenantScope scope, String webhookId, @Nullable WebhookBody body) {
        WebhookEndpoints.Endpoint current = endpoints.get(scope, webhookId);
        WebhookBody b = body != null ? body : new WebhookBody(null, null, null, null);
        WebhookEndpoints.Spec spec =
                endpoints.check(
                        scope, b.url(), b.eventTypes(), b.locationIds(), b.enabled(), current);
        return view(endpoints.update(scope, current, spec), null);
    }

    void delete(TenantScope scope, String webhookId) {
        endpoints.delete(scope, endpoints.get(scope, webhookId));
    }

    AttemptList attempts(TenantScope scope, String webhookId) {
        WebhookEndpoints.Endpoint endpoint = endpoints.get(scope, webhookId);
        return new AttemptList(
                endpoints.attempts(scope, endpoint, ATTEMPTS_LISTED).stream()
                        .map(
                                a ->
                                        new AttemptView(
                                                a.messageId(),
                                                a.eventType(),
                                                Formats.isoUtc(a.attemptedAt()),
                                                a.statusCode(),
                                                a.latencyMs(),
                                                a.error()))
                        .toList());
    }

    /** Sends a webhook.ping now and answers how it went; the attempt is logged like any other. */
    AttemptView ping(TenantScope scope, String webhookId) {
        WebhookEndpoints.Endpoint endpoint = endpoints.get(scope, webhookId);
        String messageId = "ping_" + UUID.randomUUID().toString().replace("-", "");
        Instant at = clock.instant();
        byte[] body =
                dispatcher.body(
                        new PingPayload(
                                "webhook.ping",
                                Formats.isoUtc(at),
                                Map.of("webhook_id", webhookId)));
        WebhookSender.Answer answer =
                sender.post(
                        endpoint.url(),
                        WebhookSigner.headers(
                                endpoints.secretOf(scope, endpoint),
                                messageId,
                                at.getEpochSecond(),
                                body),
                        body);
        dispatcher.recordAttempt(
                scope.tenantId(), endpoint.id(), null, messageId, "webhook.ping", at, answer);
        return new AttemptView(
                messageId,
                "webhook.ping",
                Formats.isoUtc(at),
                answer.status(),
                answer.latencyMillis(),
                answer.error());
    }

    void redeliver(TenantScope scope, String webhookId, @Nullable Redelivery body) {
        WebhookEndpoints.Endpoint endpoint = endpoints.get(scope, webhookId);
        if (body == null || body.eventId() == null) {
            throw ApiProblem.InvalidParameters.of(
                    "event_id", "is required: the id of an event of this tenant");
        }
        if (endpoints.redeliver(scope, endpoint, body.eventId()).isEmpty()) {
            throw new ApiProblem.NotFound("Event " + body.eventId());
        }
    }

    @io.micronaut.serde.annotation.Serdeable
    record PingPayload(String type, String timestamp, Map<String, String> data) {}

    private WebhookView view(WebhookEndpoints.Endpoint e, @Nullable String secret) {
        List<String> venues =
                e.locationIds() == null
                        ? null
                        : e.locationIds().stream()
                                .map(id -> ids.encode(OpaqueIds.Kind.LOCATION, id))
                                .toList();
        return new WebhookView(
                endpoints.publicId(e),
                e.url(),
                e.eventTypes(),
                venues,
                e.disabledAt() == null,
                e.disabledAt() == null ? null : Formats.isoUtc(e.disabledAt()),
                e.disabledReason(),
                Formats.isoUtc(e.createdAt()),
                secret);
    }
}
