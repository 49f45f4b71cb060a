package captiva.events.webhooks;

import captiva.common.IngestPressure;
import captiva.common.sql.Statement;
import captiva.events.EventFeed;
import captiva.events.EventSignal;
import captiva.events.EventView;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
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
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 *       all done, an equal share for each tenant with any, under FOR UPDATE SKIP LOCKED, each
 *       leased to this replica for {@code lease};
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

    /**
     * The tenants with an enabled endpoint behind its tenant's events. Read without locks across
     * every tenant; each is then queued by {@link #QUEUE} on its own, since Citus takes row locks
     * (FOR UPDATE) only in a statement on one tenant's shard.
     */
    private static final String TENANTS_TO_QUEUE =
            """
            SELECT DISTINCT w.tenant_id
            FROM webhook_endpoint w JOIN event_counter c ON c.tenant_id = w.tenant_id
            WHERE w.disabled_at IS NULL AND w.queued_position < c.last_position
            """;

    private static final String QUEUE =
            """
            WITH due AS (
                SELECT w.id, w.tenant_id, w.queued_position, w.event_types, w.location_ids, c.last_position
                FROM webhook_endpoint w JOIN event_counter c ON c.tenant_id = w.tenant_id
                WHERE w.tenant_id = :tenant AND c.tenant_id = :tenant
                  AND w.disabled_at IS NULL AND w.queued_position < c.last_position
                FOR UPDATE OF w SKIP LOCKED
            ), queued AS (
                INSERT INTO webhook_delivery (tenant_id, endpoint_id, position, order_key, next_attempt_at)
                SELECT e.tenant_id, d.id, e.position, COALESCE('s' || e.session_id, 'e' || e.position), :now
                FROM due d JOIN event e ON e.tenant_id = d.tenant_id AND e.position > d.queued_position AND e.position <= d.last_position
                WHERE e.tenant_id = :tenant
                  AND e.type = ANY (d.event_types) AND (d.location_ids IS NULL OR e.location_id = ANY (d.location_ids))
                ORDER BY d.id, e.position
            ), moved AS (
                UPDATE webhook_endpoint w SET queued_position = d.last_position FROM due d
                WHERE w.tenant_id = :tenant AND w.tenant_id = d.tenant_id AND w.id = d.id
            )
            SELECT count(*) FROM due
            """;

    /**
     * The tenants with a pending delivery due now and not leased, read without locks across every
     * tenant. Each tenant is probed on its own (the lateral subquery's LIMIT keeps the planner from
     * joining every due delivery at once), down its part of webhook_delivery_claim_by_tenant_idx
     * (V77): one tenant's backlog costs the others nothing. A tenant found here may still have
     * nothing to claim (its due deliveries wait for earlier ones of the same session); its share
     * then passes on.
     */
    private static final String TENANTS_TO_CLAIM =
            """
            SELECT t.tenant_id
            FROM (SELECT DISTINCT tenant_id FROM webhook_endpoint WHERE disabled_at IS NULL) t
            CROSS JOIN LATERAL (
                SELECT c.next_attempt_at FROM webhook_delivery c
                WHERE c.tenant_id = t.tenant_id AND c.state = 'pending' AND c.next_attempt_at <= :now
                  AND (c.lease_until IS NULL OR c.lease_until < :now)
                ORDER BY c.next_attempt_at
                LIMIT 1) due
            """;

    /**
     * Claims a tenant's deliveries in (next_attempt_at, position) order, a few at a time under FOR
     * UPDATE SKIP LOCKED, each leased to this replica: due, not leased, its endpoint enabled, and
     * no earlier pending delivery of the same session to the same endpoint. The tenant is named on
     * every table, which is how Citus sees that the statement stays on that tenant's shard. The
     * enabled endpoints are an array rather than a join, so that the plan walks the tenant's due
     * deliveries in order and stops after {@code :limit}, rather than sorting its whole backlog.
     * Two guards against plans made while the statistics said nothing was pending (BENCHMARKS.md,
     * webhooks, 2026-12-06): the claim is a materialized CTE, run once, never again for each row
     * the update looks at; and the earlier-delivery check stays a subquery probed for each
     * candidate ({@code OFFSET 0}: not turned into a join, which read every pending delivery for
     * each candidate).
     */
    private static final String CLAIM_DUE =
            """
            WITH claimed AS MATERIALIZED (
                SELECT c.id FROM webhook_delivery c
                WHERE c.tenant_id = :tenant AND c.state = 'pending' AND c.next_attempt_at <= :now
                  AND (c.lease_until IS NULL OR c.lease_until < :now)
                  AND c.endpoint_id = ANY (ARRAY(SELECT ce.id FROM webhook_endpoint ce
                                                 WHERE ce.tenant_id = :tenant AND ce.disabled_at IS NULL))
                  AND NOT EXISTS (SELECT 1 FROM webhook_delivery p
                                  WHERE p.tenant_id = :tenant AND p.endpoint_id = c.endpoint_id
                                    AND p.order_key = c.order_key AND p.state = 'pending' AND p.position < c.position
                                  OFFSET 0)
                ORDER BY c.next_attempt_at, c.position
                LIMIT :limit
                FOR UPDATE OF c SKIP LOCKED)
            UPDATE webhook_delivery d SET lease_until = :leaseEnd, attempts = d.attempts + 1,
                                          first_attempt_at = COALESCE(d.first_attempt_at, :now)
            FROM claimed, webhook_endpoint w
            WHERE d.tenant_id = :tenant AND d.id = claimed.id AND w.tenant_id = :tenant AND w.id = d.endpoint_id
            RETURNING d.id, d.tenant_id, d.endpoint_id, d.position, d.attempts, d.first_attempt_at, w.url, w.secret
            """;

    /**
     * How the attempts of one claim went, in one statement a kind and tenant. Parameters are the
     * deliveries as arrays, one element a delivery, then the tenant, named on the table so that on
     * Citus the statement stays on that tenant's shard rather than updating every shard at once.
     */
    private static final String DELIVERED =
            """
            UPDATE webhook_delivery d SET state = 'delivered', lease_until = NULL
            FROM unnest(CAST(? AS bigint[])) AS x(id)
            WHERE d.tenant_id = ? AND d.id = x.id
            """;

    private static final String FAILED =
            """
            UPDATE webhook_delivery d SET state = 'failed', lease_until = NULL
            FROM unnest(CAST(? AS bigint[])) AS x(id)
            WHERE d.tenant_id = ? AND d.id = x.id
            """;

    private static final String RETRY =
            """
            UPDATE webhook_delivery d SET next_attempt_at = x.at, lease_until = NULL
            FROM unnest(CAST(? AS bigint[]), CAST(? AS timestamptz[])) AS x(id, at)
            WHERE d.tenant_id = ? AND d.id = x.id
            """;

    private static final String DISABLE =
            """
            UPDATE webhook_endpoint SET disabled_at = ?, disabled_reason = ?
            WHERE tenant_id = ? AND id = ? AND disabled_at IS NULL
            """;

    private static final String ATTEMPTS =
            """
            INSERT INTO webhook_attempt (tenant_id, endpoint_id, delivery_id, message_id, event_type, attempted_at,
                                         status_code, latency_ms, error)
            SELECT * FROM unnest(CAST(? AS bigint[]), CAST(? AS bigint[]), CAST(? AS bigint[]), CAST(? AS text[]),
                                 CAST(? AS text[]), CAST(? AS timestamptz[]), CAST(? AS integer[]),
                                 CAST(? AS integer[]), CAST(? AS text[]))
            """;

    /**
     * Outcomes of a claim are recorded together, but not held back longer than this: an owner
     * reading the attempt log, and the lease, should not wait for a batch behind a slow receiver.
     */
    static final Duration RECORD_AFTER = Duration.ofSeconds(1);

    /** How long a worker waits for an ingest burst to pass before it delivers a claim anyway. */
    static final Duration GIVE_WAY_AT_MOST = Duration.ofSeconds(1);

    private final JdbcOperations jdbc;
    private final TransactionOperations<Connection> transactions;
    private final WebhookSender sender;
    private final EventFeed feed;
    private final EventSignal signal;
    private final JsonMapper json;
    private final Clock clock;
    private final WebhookProperties properties;
    private final IngestPressure pressure;
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
            WebhookProperties properties,
            IngestPressure pressure) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.sender = sender;
        this.feed = feed;
        this.signal = signal;
        this.json = json;
        this.clock = clock;
        this.properties = properties;
        this.pressure = pressure;
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
            String secret,
            Instant leaseUntil) {}

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
                // Deliveries can wait without loss; NASes waiting for answers cannot.
                pressure.giveWay(GIVE_WAY_AT_MOST);
                queue();
                List<Claimed> claimed = claim();
                deliver(claimed);
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
        int moved = 0;
        for (long tenantId : tenants(new Statement(TENANTS_TO_QUEUE))) {
            OffsetDateTime now = now();
            moved +=
                    transactions.executeWrite(
                            status ->
                                    jdbc.execute(
                                            connection -> {
                                                try (PreparedStatement st =
                                                                new Statement(QUEUE)
                                                                        .bind("tenant", tenantId)
                                                                        .bind("now", now)
                                                                        .prepare(connection);
                                                        ResultSet rs = st.executeQuery()) {
                                                    rs.next();
                                                    return rs.getInt(1);
                                                }
                                            }));
        }
        return moved;
    }

    /**
     * Claims up to {@code CLAIM} due deliveries, each tenant's in its own transaction. Every tenant
     * with a due delivery gets an equal share, in an order drawn at random each time: an endpoint's
     * backlog (it was down, or a burst) takes its share and no more, so another tenant's events are
     * not held behind it. What a tenant cannot use passes to the tenants after it.
     */
    List<Claimed> claim() {
        OffsetDateTime now = now();
        OffsetDateTime leaseEnd =
                OffsetDateTime.ofInstant(clock.instant().plus(properties.lease()), ZoneOffset.UTC);
        List<Claimed> claimed = new ArrayList<>();
        List<Long> tenants =
                new ArrayList<>(tenants(new Statement(TENANTS_TO_CLAIM).bind("now", now)));
        Collections.shuffle(tenants);
        for (int i = 0; i < tenants.size() && claimed.size() < CLAIM; i++) {
            long tenantId = tenants.get(i);
            int left = tenants.size() - i;
            int share = (CLAIM - claimed.size() + left - 1) / left;
            claimed.addAll(
                    transactions.executeWrite(
                            status ->
                                    jdbc.execute(
                                            connection ->
                                                    claim(
                                                            connection,
                                                            new Statement(CLAIM_DUE)
                                                                    .bind("tenant", tenantId)
                                                                    .bind("now", now)
                                                                    .bind("leaseEnd", leaseEnd)
                                                                    .bind("limit", share),
                                                            leaseEnd))));
        }
        return claimed;
    }

    private static List<Claimed> claim(
            Connection connection, Statement claimDue, OffsetDateTime leaseEnd)
            throws SQLException {
        List<Claimed> claimed = new ArrayList<>();
        try (PreparedStatement st = claimDue.prepare(connection);
                ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                claimed.add(
                        new Claimed(
                                rs.getLong("id"),
                                rs.getLong("tenant_id"),
                                rs.getLong("endpoint_id"),
                                rs.getLong("position"),
                                rs.getInt("attempts"),
                                rs.getTimestamp("first_attempt_at").toInstant(),
                                rs.getString("url"),
                                rs.getString("secret"),
                                leaseEnd.toInstant()));
            }
        }
        return claimed;
    }

    /** The distinct tenant ids a statement answers, in its order. */
    private List<Long> tenants(Statement statement) {
        return jdbc.execute(
                connection -> {
                    LinkedHashSet<Long> tenants = new LinkedHashSet<>();
                    try (PreparedStatement st = statement.prepare(connection);
                            ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            tenants.add(rs.getLong(1));
                        }
                    }
                    return List.copyOf(tenants);
                });
    }

    /** How one attempt went, to be recorded; {@code answer} is null when the event is gone. */
    record Outcome(
            Claimed delivery,
            @Nullable EventView event,
            Instant attemptedAt,
            WebhookSender.@Nullable Answer answer) {}

    /**
     * Sends claimed deliveries, each signed, and records how they went: a few statements for the
     * whole claim rather than a few per delivery, which during an ingest burst compete with the
     * ingest for the same database.
     */
    void deliver(List<Claimed> claimed) {
        Map<Long, List<Claimed>> byTenant = new HashMap<>();
        claimed.forEach(d -> byTenant.computeIfAbsent(d.tenantId(), t -> new ArrayList<>()).add(d));
        Map<Claimed, EventView> events = new HashMap<>();
        byTenant.forEach(
                (tenantId, deliveries) -> {
                    Map<Long, EventView> found =
                            feed.at(tenantId, deliveries.stream().map(Claimed::position).toList());
                    deliveries.forEach(d -> events.put(d, found.get(d.position())));
                });
        List<Outcome> outcomes = new ArrayList<>();
        long recordedAt = System.nanoTime();
        for (Claimed delivery : claimed) {
            if (!clock.instant().isBefore(delivery.leaseUntil())) {
                // Slow receivers earlier in the claim used up this one's lease: another worker may
                // have claimed it since, so it is left to whoever claims it next.
                continue;
            }
            EventView view = events.get(delivery);
            if (view == null) {
                // Past the retention before it could be sent: nothing left to say.
                outcomes.add(new Outcome(delivery, null, clock.instant(), null));
                continue;
            }
            byte[] body = body(view.payload());
            Instant attemptedAt = clock.instant();
            WebhookSender.Answer answer =
                    sender.post(
                            delivery.url(),
                            WebhookSigner.headers(
                                    delivery.secret(),
                                    view.id(),
                                    attemptedAt.getEpochSecond(),
                                    body),
                            body);
            outcomes.add(new Outcome(delivery, view, attemptedAt, answer));
            if (System.nanoTime() - recordedAt > RECORD_AFTER.toNanos()) {
                record(outcomes);
                outcomes.clear();
                recordedAt = System.nanoTime();
            }
        }
        record(outcomes);
    }

    /**
     * Records outcomes in one transaction: each attempt logged, each delivery delivered, due again
     * after a backoff, or, once retried for {@code give-up-after}, failed with its endpoint
     * disabled and the reason kept.
     */
    private void record(List<Outcome> outcomes) {
        if (outcomes.isEmpty()) {
            return;
        }
        Batch attempts = new Batch();
        Map<Long, Batch> delivered = new TreeMap<>();
        Map<Long, Batch> failed = new TreeMap<>();
        Map<Long, Batch> retried = new TreeMap<>();
        List<Outcome> givenUp = new ArrayList<>();
        Instant now = clock.instant();
        for (Outcome o : outcomes) {
            Claimed d = o.delivery();
            if (o.answer() == null) {
                of(failed, d).add(d.id());
                continue;
            }
            attempts.add(
                    d.tenantId(),
                    d.endpointId(),
                    d.id(),
                    o.event().id(),
                    o.event().type(),
                    utc(o.attemptedAt()),
                    o.answer().status(),
                    (int) Math.min(Integer.MAX_VALUE, o.answer().latencyMillis()),
                    o.answer().error());
            if (o.answer().delivered()) {
                of(delivered, d).add(d.id());
            } else if (!now.isBefore(d.firstAttemptAt().plus(properties.giveUpAfter()))) {
                of(failed, d).add(d.id());
                givenUp.add(o);
            } else {
                of(retried, d).add(d.id(), utc(now.plus(backoff(d.attempts()))));
            }
        }
        transactions.executeWrite(
                status ->
                        jdbc.execute(
                                connection -> {
                                    attempts.run(connection, ATTEMPTS, ATTEMPT_TYPES);
                                    runByTenant(connection, delivered, DELIVERED, ID_TYPES);
                                    runByTenant(connection, failed, FAILED, ID_TYPES);
                                    runByTenant(connection, retried, RETRY, RETRY_TYPES);
                                    for (Outcome o : givenUp) {
                                        disable(connection, o);
                                    }
                                    return null;
                                }));
    }

    /** Runs each tenant's batch, the tenant bound after its arrays. */
    private static void runByTenant(
            Connection connection, Map<Long, Batch> byTenant, String sql, String[] types)
            throws SQLException {
        for (var tenant : byTenant.entrySet()) {
            tenant.getValue().run(connection, sql, types, tenant.getKey());
        }
    }

    /** The batch of a delivery's tenant. */
    private static Batch of(Map<Long, Batch> byTenant, Claimed delivery) {
        return byTenant.computeIfAbsent(delivery.tenantId(), t -> new Batch());
    }

    private static final String[] ID_TYPES = {"bigint"};
    private static final String[] RETRY_TYPES = {"bigint", "timestamptz"};
    private static final String[] ATTEMPT_TYPES = {
        "bigint", "bigint", "bigint", "text", "text", "timestamptz", "integer", "integer", "text"
    };

    /**
     * The columns of one statement over many rows, bound as one array a column, then any values
     * that hold for every row.
     */
    private static final class Batch {
        private final List<Object[]> rows = new ArrayList<>();

        void add(Object... row) {
            rows.add(row);
        }

        void run(Connection connection, String sql, String[] types, Object... after)
                throws SQLException {
            if (rows.isEmpty()) {
                return;
            }
            try (PreparedStatement st = connection.prepareStatement(sql)) {
                for (int column = 0; column < types.length; column++) {
                    Object[] values = new Object[rows.size()];
                    for (int row = 0; row < rows.size(); row++) {
                        values[row] = rows.get(row)[column];
                    }
                    st.setArray(column + 1, connection.createArrayOf(types[column], values));
                }
                for (int i = 0; i < after.length; i++) {
                    st.setObject(types.length + i + 1, after[i]);
                }
                st.executeUpdate();
            }
        }
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

    /** Logs one attempt that is not a delivery's (a ping). */
    void recordAttempt(
            long tenantId,
            long endpointId,
            @Nullable Long deliveryId,
            String messageId,
            String type,
            Instant at,
            WebhookSender.Answer answer) {
        Batch attempt = new Batch();
        attempt.add(
                tenantId,
                endpointId,
                deliveryId,
                messageId,
                type,
                utc(at),
                answer.status(),
                (int) Math.min(Integer.MAX_VALUE, answer.latencyMillis()),
                answer.error());
        jdbc.execute(
                connection -> {
                    attempt.run(connection, ATTEMPTS, ATTEMPT_TYPES);
                    return null;
                });
    }

    private void disable(Connection connection, Outcome given) throws SQLException {
        Claimed delivery = given.delivery();
        String reason =
                "Event "
                        + given.event().id()
                        + " could not be delivered for "
                        + properties.giveUpAfter().toHours()
                        + " h ("
                        + delivery.attempts()
                        + " attempts); the last attempt: "
                        + given.answer().problem();
        try (PreparedStatement st = connection.prepareStatement(DISABLE)) {
            st.setObject(1, now());
            st.setString(2, reason);
            st.setLong(3, delivery.tenantId());
            st.setLong(4, delivery.endpointId());
            st.executeUpdate();
        }
        LOG.info("Disabled webhook endpoint {}: {}", delivery.endpointId(), reason);
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }
}
