package captiva.events;

import io.micronaut.serde.annotation.Serdeable;
import java.util.Map;

/**
 * One event as GET /events lists it and the stream sends it. A webhook's body is the same without
 * the id, which travels in the webhook-id header instead (Standard Webhooks).
 *
 * @param id the event's opaque position: resume after it with {@code after=} or Last-Event-ID
 * @param timestamp when it happened (the session's start or end, the login's time, the erasure)
 */
@Serdeable
public record EventView(String id, String type, String timestamp, Map<String, Object> data) {

    /** The webhook body: {@code {"type", "timestamp", "data"}}. */
    public Payload payload() {
        return new Payload(type, timestamp, data);
    }

    @Serdeable
    public record Payload(String type, String timestamp, Map<String, Object> data) {}
}
