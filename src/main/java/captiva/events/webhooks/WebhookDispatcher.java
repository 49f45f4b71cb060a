package captiva.events.webhooks;

import captiva.events.EventFeed;
import captiva.events.EventSignal;
import captiva.events.EventView;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.json.JsonMapper;
import io.micronaut.transaction.TransactionOperations;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the event log to webhook endpoints, at least once, on every replica at once:
 *
 * <ol>
 *   <li>queue: each enabled endpoint's new events that it wants become webhook_delivery rows, and
 *       its cursor moves, in one statement (endpoints another replica is queueing are skipped);
 *   <li>claim: due deliveries whose earlier deliveries of the same session to the same endpoint are
 *       all done, under FOR UPDATE SKIP LOCKED, each leased to this replica for {@code lease};
 *   <li>send, signed, and record the attempt: delivered, or due again after a backoff, or, once
 *       retried for {@code give-up-after}, failed with the endpoint disabled and the reason kept.
 * </ol>
 *
 * A replica that dies mid-send leaves its lease to expire; the delivery is then sent again (the
 * same webhook-id, so the receiver can tell).
 */
@Context
@Requires(property = "captiva.webhooks.enabled", notEquals = "false")
class WebhookDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);
    static final int CLAIM = 8;

    private static final String QUEUE =
            """
            WITH due AS (
                SELECT w.id, w.tenant_id, w.queued_position, w.event_types, w.location_ids, c.last_position
                FROM webhook_endpoint w JOIN event_counter c ON c.tenant_id = w.tenant_id
                WHERE w.disabled_at IS NULL AND w.queued_position < c.last_position
                FOR UPDATE OF w SKIP LOCKED
            ), queued AS (
                INSERT INTO webhook_delivery (tenant_id, endpoint_id, position, order_key, next_attempt_at)
                SELECT e.tenant_id, d.id, e.position, COALESCE('s' || e.session_id, 'e' || e.position), ?
                FROM due d JOIN event e ON e.tenant_id = d.tenant_id AND e.position > d.queued_position AND e.position <= d.last_position
                WHERE e.type = ANY (d.event_types) AND (d.location_ids IS NULL OR e.location_id = ANY (d.location_ids))
                ORDER BY d.id, e.position
            ), moved AS (
                UPDATE webhook_endpoint w SET queued_position = d.last_position FROM due d WHERE w.id = d.id
            )
            SELECT count(*) FROM due
            """;

    /**
     * Walks webhook_delivery_claim_idx in order and stops at the first {@code CLAIM} claimable
     * rows, so a claim costs the same with 20 or 20,000 deliveries waiting (V52).
     */
    private static final String CLAIM_DUE =
            """
            UPDATE webhook_delivery d SET lease_until = ?, attempts = d.attempts + 1,
                                          first_attempt_at = COALESCE(d.first_attempt_at, ?)
            FROM webhook_endpoint w
            WHERE w.id = d.endpoint_id AND d.id IN (
                SELECT c.id FROM webhook_delivery c
                WHERE c.state = 'pending' AND c.next_attempt_at <= ? AND (c.lease_until IS NULL OR c.lease_until < ?)
                  AND EXISTS (SELECT 1 FROM webhook_endpoint ce WHERE ce.id = c.endpoint_id AND ce.disabled_at IS NULL)
                  AND NOT EXISTS (SELECT 1 FROM webhook_delivery p
                                  WHERE p.endpoint_id = c.endpoint_id AND p.order_key = c.order_key
                                    AND p.state = 'pending' AND p.position < c.position)
                ORDER BY c.next_attempt_at, c.position
                LIMIT ? FOR UPDATE OF c SKIP LOCKED)
            RETURNING d.id, d.tenant_id, d.endpoint_id, d.position, d.attempts, d.first_attempt_at, w.url, w.secret
            """;

    private static final String DELIVERED =
            "UPDATE webhook_delivery SET state = 'delivered', lease_until = NULL WHERE id = ?";
    private static final String RETRY =
            "UPDATE webhook_delivery SET next_attempt_at = ?, lease_until = NULL WHERE id = ?";
    private static final String FAILED =
            "UPDATE webhook_delivery SET state = 'failed', lease_until = NULL WHERE id = ?";
    private static final String DISABLE =
            """
            UPDATE webhook_endpoint SET disabled_at = ?, disabled_reason = ? WHERE id = ? AND disabled_at IS NULL
            """;
    static final String ATTEMPT =
            """
            INSERT INTO webhook_attempt (tenant_id, endpoint_id, delivery_id, message_id, event_type, attempted_at,
                                         status_code, latency_ms, error)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """;

    private final JdbcOperations jdbc;
    private final TransactionOperations<Connection> transactions;
    private final WebhookSender sender;
    private final EventFeed feed;
    private final EventSignal signal;
    private final JsonMapper json;
    private final Clock clock;
    private final WebhookProperties properties;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    WebhookDispatcher(
            JdbcOperations jdbc,
            TransactionOperations<Connection> transactions,
            WebhookSender sender,
            EventFeed feed,
            EventSignal signal,
            JsonMapper json,
            Clock clock,
            WebhookProperties properties) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.sender = sender;
        this.feed = feed;
        this.signal = signal;
        this.json = json;
        this.clock = clock;
        this.properties = properties;
    }

    /** A delivery claimed for one attempt. */
    record Claimed(
            long id,
            long tenantId,
            long endpointId,
            long position,
            int attempts,
            Instant firstAttemptAt,
            String url,
            String secret) {}

    @PostConstruct
    void start() {
        for (int i = 0; i < properties.workers(); i++) {
            Thread thread = new Thread(this::work, "webhook-worker-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    @PreDestroy
    void stop() throws InterruptedException {
        running = false;
        threads.forEach(Thread::interrupt);
        for (Thread thread : threads) {
            thread.join(properties.timeout().toMillis() + 1000);
        }
    }

    private void work() {
        long seen = signal.generation();
        while (running) {
            try {
                queue();
                List<Claimed> claimed = claim();
                for (Claimed delivery : claimed) {
                    attempt(delivery);
                }
                if (claimed.isEmpty()) {
                    seen = signal.awaitAfter(seen, properties.pollInterval().toMillis());
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("Webhook delivery round failed; will try again: {}", e.toString());
                try {
                    Thread.sleep(properties.pollInterval().toMillis());
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    /**
     * Turns new events into deliveries for the endpoints that want them; returns how many endpoints
     * moved.
     */
    int queue() {
        return transactions.executeWrite(
                status ->
                        jdbc.execute(
                                connection -> {
                                    try (PreparedStatement st =
                                            connection.prepareStatement(QUEUE)) {
                                        st.setObject(1, now());
                                        try (ResultSet rs = st.executeQuery()) {
                                            rs.next();
                                            return rs.getInt(1);
                                        }
                                    }
                                }));
    }

    List<Claimed> claim() {
        OffsetDateTime now = now();
        OffsetDateTime leaseEnd =
                OffsetDateTime.ofInstant(clock.instant().plus(properties.lease()), ZoneOffset.UTC);
        return transactions.executeWrite(
                status ->
                        jdbc.execute(
                                connection -> {
                                    try (PreparedStatement st =
                                            connection.prepareStatement(CLAIM_DUE)) {
                                        st.setObject(1, leaseEnd);
                                        st.setObject(2, now);
                                        st.setObject(3, now);
                                        st.setObject(4, now);
                                        st.setInt(5, CLAIM);
                                        List<Claimed> claimed = new ArrayList<>();
                                        try (ResultSet rs = st.executeQuery()) {
                                            while (rs.next()) {
                                                claimed.add(
                                                        new Claimed(
                                                                rs.getLong("id"),
                                                                rs.getLong("tenant_id"),
                                                                rs.getLong("endpoint_id"),
                                                                rs.getLong("position"),
                                                                rs.getInt("attempts"),
                                                                rs.getTimestamp("first_attempt_at")
                                                                        .toInstant(),
                                                                rs.getString("url"),
                                                                rs.getString("secret")));
                                            }
                                        }
                                        return claimed;
                                    }
                                }));
    }

    /** Sends one claimed delivery and records how it went. */
    void attempt(Claimed delivery) {
        Optional<EventView> event = feed.at(delivery.tenantId(), delivery.position());
        if (event.isEmpty()) {
            // Past the retention before it could be sent: nothing left to say.
            update(FAILED, delivery.id());
            return;
        }
        EventView view = event.get();
        byte[] body = body(view.payload());
        Instant attemptedAt = clock.instant();
        WebhookSender.Answer answer =
                sender.post(
                        delivery.url(),
                        WebhookSigner.headers(
                                delivery.secret(), view.id(), attemptedAt.getEpochSecond(), body),
                        body);
        transactions.executeWrite(
                status -> {
                    recordAttempt(
                            delivery.tenantId(),
                            delivery.endpointId(),
                            delivery.id(),
                            view.id(),
                            view.type(),
                            attemptedAt,
                            answer);
                    if (answer.delivered()) {
                        update(DELIVERED, delivery.id());
                    } else if (!clock.instant()
                            .isBefore(delivery.firstAttemptAt().plus(properties.giveUpAfter()))) {
                        update(FAILED, delivery.id());
                        disable(delivery, view, answer);
                    } else {
                        retryAt(delivery.id(), clock.instant().plus(backoff(delivery.attempts())));
                    }
                    return null;
                });
    }

    /**
     * The wait after the n-th failed attempt: first-retry x 4^(n-1), capped, drawn between half and
     * all of it.
     */
    Duration backoff(int attempts) {
        long full = properties.firstRetry().toMillis();
        for (int i = 1; i < attempts && full < properties.maxRetryDelay().toMillis(); i++) {
            full *= 4;
        }
        full = Math.min(full, properties.maxRetryDelay().toMillis());
        return Duration.ofMillis(full / 2 + ThreadLocalRandom.current().nextLong(full / 2 + 1));
    }

    byte[] body(Object payload) {
        try {
            return json.writeValueAsBytes(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void recordAttempt(
            long tenantId,
            long endpointId,
            Long deliveryId,
            String messageId,
            String type,
            Instant at,
            WebhookSender.Answer answer) {
        jdbc.execute(
                connection -> {
                    try (PreparedStatement st = connection.prepareStatement(ATTEMPT)) {
                        st.setLong(1, tenantId);
                        st.setLong(2, endpointId);
                        st.setObject(3, deliveryId);
                        st.setString(4, messageId);
                        st.setString(5, type);
                        st.setObject(6, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
                        st.setObject(7, answer.status());
                        st.setInt(8, (int) Math.min(Integer.MAX_VALUE, answer.latencyMillis()));
                        st.setString(9, answer.error());
                        return st.executeUpdate();
                    }
                });
    }

    private void disable(Claimed delivery, EventView view, WebhookSender.Answer answer) {
        String reason =
                "Event "
                        + view.id()
                        + " could not be delivered for "
                        + properties.giveUpAfter().toHours()
                        + " h ("
                        + delivery.attempts()
                        + " attempts); the last attempt: "
                        + answer.problem();
        jdbc.execute(
                connection -> {
                    try (PreparedStatement st = connection.prepareStatement(DISABLE)) {
                        st.setObject(1, now());
                        st.setString(2, reason);
                        st.setLong(3, delivery.endpointId());
                        return st.executeUpdate();
                    }
                });
        LOG.info("Disabled webhook endpoint {}: {}", delivery.endpointId(), reason);
    }

    private void update(String sql, long deliveryId) {
        jdbc.execute(
                connection -> {
                    try (PreparedStatement st = connection.prepareStatement(sql)) {
                        st.setLong(1, deliveryId);
                        return st.executeUpdate();
                    }
                });
    }

    private void retryAt(long deliveryId, Instant at) {
        jdbc.execute(
                connection -> {
                    try (PreparedStatement st = connection.prepareStatement(RETRY)) {
                        st.setObject(1, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
                        st.setLong(2, deliveryId);
                        return st.executeUpdate();
                    }
                });
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }
}
