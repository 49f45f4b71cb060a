package captiva.events.webhooks;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.config.naming.SnakeCaseStrategy;
import java.util.List;

/**
 * The bodies of the webhook API, the same under /admin/tenants/{tenant_id}/webhooks and /webhooks.
 */
final class WebhookViews {

    private WebhookViews() {}

    /**
     * Create (url and event_types required) or change (every field optional; enabled=true
     * re-enables).
     */
    @Serdeable(naming = SnakeCaseStrategy.class)
    record WebhookBody(
            @Nullable String url,
            @Nullable List<String> eventTypes,
            @Nullable List<String> locationIds,
            @Nullable Boolean enabled) {}

    /**
     * @param secret only in the answer that creates the endpoint; null everywhere else
     */
    @Serdeable(naming = SnakeCaseStrategy.class)
    record WebhookView(
            String id,
            String url,
            List<String> eventTypes,
            @Nullable List<String> locationIds,
            boolean enabled,
            @Nullable String disabledAt,
            @Nullable String disabledReason,
            String createdAt,
            @Nullable String secret) {}

    @Serdeable(naming = SnakeCaseStrategy.class)
    record WebhookList(List<WebhookView> data) {}

    /**
     * @param webhookId the webhook-id header sent: the event's id, or a ping's own
     */
    @Serdeable(naming = SnakeCaseStrategy.class)
    record AttemptView(
            String webhookId,
            String eventType,
            String attemptedAt,
            @Nullable Integer statusCode,
            long latencyMs,
            @Nullable String error) {}

    @Serdeable(naming = SnakeCaseStrategy.class)
    record AttemptList(List<AttemptView> data) {}

    @Serdeable(naming = SnakeCaseStrategy.class)
    record Redelivery(@Nullable String eventId) {}
}
