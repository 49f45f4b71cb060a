package captiva.sessions;

import captiva.events.EventLog;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Applies accounting events to sessions, a batch per transaction. Each session event is one upsert
 * on (tenant, NAS, Acct-Session-Id, NAS epoch) that is safe in any order and any number of times:
 * the start only moves earlier, the end is set once and never cleared, counters and last update
 * only grow. So an Interim without a Start creates the session, a Stop without a Start creates it
 * closed, and a late Interim never reopens a stopped session. Accounting-On/Off (the NAS rebooted
 * or is going down) closes every session of that NAS still open and started by then; an
 * Accounting-On also begins a new NAS epoch, the latest Accounting-On before a session's start, so
 * that an Acct-Session-Id the rebooted NAS uses again starts a new session instead of landing in
 * the old, closed one. A Start for a device ends the device's other open sessions at that NAS (a
 * reconnect whose old session got no Stop), where the tenant keeps that rule on.
 *
 * <p>A batch's session events are written with one {@code INSERT ... SELECT FROM unnest(...)} per
 * round rather than one statement per event: PostgreSQL's work per statement (and, since V9, the
 * logging of the venue-days it touched, {@link VenueDays}) is paid once a batch. ON CONFLICT cannot
 * touch a row twice in one statement, so the events of one session are folded here with the
 * upsert's own rules ({@link Row#absorb}). Round 1 holds each session's first event of the batch
 * exactly as it came: when it creates the row, it takes its login (V4's rule) from what it would
 * have seen one event at a time. Round 2 holds the rest of each session folded into one row, which
 * by then always updates; a session whose later events name different users (the guest lookup is
 * per username) goes on in rounds 3 and up. A batch holding an event that the database could refuse
 * on its own (negative counters or session time, a NUL character) is written one event at a time as
 * before, so that a refused batch is refused as before and bisected to the same event.
 */
@Singleton
public class SessionRecorder {

    /**
     * How a stored session takes in an event: the rules that make any order and any repetition
     * safe.
     */
    private static final String MERGE_RULES =
            """
            ON CONFLICT (tenant_id, nas_id, acct_session_id, nas_epoch) WHERE acct_session_id IS NOT NULL DO UPDATE SET
                username         = COALESCE(s.username, EXCLUDED.username),
                guest_id         = COALESCE(s.guest_id, EXCLUDED.guest_id),
                guest_device_mac = COALESCE(s.guest_device_mac, EXCLUDED.guest_device_mac),
                guest_device_ip  = COALESCE(EXCLUDED.guest_device_ip, s.guest_device_ip),
                start_time       = LEAST(s.start_time, EXCLUDED.start_time),
                last_update      = GREATEST(s.last_update, EXCLUDED.last_update),
                end_time         = COALESCE(s.end_time, EXCLUDED.end_time),
                input_octets     = GREATEST(s.input_octets, EXCLUDED.input_octets),
                output_octets    = GREATEST(s.output_octets, EXCLUDED.output_octets),
                session_time     = GREATEST(s.session_time, EXCLUDED.session_time),
                terminate_cause  = COALESCE(s.terminate_cause, EXCLUDED.terminate_cause),
                ssid                     = COALESCE(EXCLUDED.ssid, s.ssid),
                ap_mac                   = COALESCE(EXCLUDED.ap_mac, s.ap_mac),
                ap_name                  = COALESCE(EXCLUDED.ap_name, s.ap_name),
                ap_group                 = COALESCE(EXCLUDED.ap_group, s.ap_group),
                ap_location_id           = COALESCE(EXCLUDED.ap_location_id, s.ap_location_id),
                framed_ipv6_address      = COALESCE(EXCLUDED.framed_ipv6_address, s.framed_ipv6_address),
                framed_ipv6_prefix       = COALESCE(EXCLUDED.framed_ipv6_prefix, s.framed_ipv6_prefix),
                delegated_ipv6_prefix    = COALESCE(EXCLUDED.delegated_ipv6_prefix, s.delegated_ipv6_prefix),
                framed_interface_id      = COALESCE(EXCLUDED.framed_interface_id, s.framed_interface_id),
                acct_multi_session_id    = COALESCE(EXCLUDED.acct_multi_session_id, s.acct_multi_session_id),
                radius_class             = COALESCE(EXCLUDED.radius_class, s.radius_class),
                chargeable_user_identity = COALESCE(EXCLUDED.chargeable_user_identity, s.chargeable_user_identity)
            """;

    /** The columns of {@link SessionAttributes}, in its order. */
    private static final String ATTRIBUTE_COLUMNS =
            """
            ssid, ap_mac, ap_name, ap_group, ap_location_id, framed_ipv6_address, framed_ipv6_prefix,
            delegated_ipv6_prefix, framed_interface_id, acct_multi_session_id, radius_class, chargeable_user_identity""";

    /** The columns of a session row {@code e} that the upsert proposes. */
    private static final String ROW_COLUMNS =
            """
            tenant_id, location_id, nas_id, acct_session_id, username, mac, ip, start_time, last_update,
            end_time, input_octets, output_octets, session_time, terminate_cause, nas_epoch,
            ssid, ap_mac, ap_name, ap_group, ap_location_id, framed_ipv6_address, framed_ipv6_prefix,
            delegated_ipv6_prefix, framed_interface_id, acct_multi_session_id, radius_class,
            chargeable_user_identity""";

    /** How many times the upsert takes its tenant as a parameter, after the rows' parameters. */
    private static final int UPSERT_TENANT_PARAMETERS = 4;

    /**
     * The upsert of one tenant's session rows {@code e} (one array element or one row of parameters
     * each), as a "WITH" clause ending in the CTE {@code changed} for {@link VenueDays#logged}. A
     * row that creates its session takes the guest of its username and, for what is still missing,
     * its latest login's (V4's rule, its trigger's until V59); a row that updates a stored session
     * takes no login fields, as that session was linked when its login arrived.
     *
     * <p>The tenant is a parameter of each read (after the rows' parameters, {@value
     * #UPSERT_TENANT_PARAMETERS} times), not a column of the rows: Citus sends a statement to the
     * tenant's shards only when each distributed table in it is filtered by a constant tenant.
     * {@code was} reads the stored sessions before the upsert, in a CTE of its own that Citus runs
     * first and PostgreSQL reads in the statement's snapshot: what the session events and
     * venue-days need of the row before (an ON CONFLICT update cannot return it), and which rows
     * update a stored session. It looks each row's session up by its key, one descent each: the
     * LIMIT (the key is unique) keeps PostgreSQL from joining the rows to all of the tenant's
     * sessions instead, which it would before the table's first ANALYZE, taking a constant tenant's
     * sessions for a few. The rows to insert are read in a CTE of their own too ({@code source}):
     * Citus plans that SELECT for the tenant's shards alone, where inside an INSERT ... SELECT it
     * refuses the lateral join to {@code login} ("cannot perform a lateral outer join when a
     * distributed subquery references a subquery without FROM").
     */
    private static String upsertFrom(String rows) {
        return "WITH e ("
                + ROW_COLUMNS
                + ") AS (SELECT * FROM "
                + rows
                + " AS r\n"
                + """
                ), was AS MATERIALIZED (
                    SELECT o.id, o.start_time, o.end_time, e.nas_id, e.acct_session_id, e.nas_epoch
                    FROM e CROSS JOIN LATERAL (
                        SELECT o.id, o.start_time, o.end_time FROM session o
                        WHERE o.tenant_id = ? AND o.nas_id = e.nas_id AND o.acct_session_id = e.acct_session_id
                          AND o.nas_epoch = e.nas_epoch
                        LIMIT 1) o
                ), source AS MATERIALIZED (
                SELECT e.tenant_id, e.location_id, e.nas_id, e.acct_session_id, e.username,
                       COALESCE((SELECT g.id FROM guest g WHERE g.tenant_id = ? AND g.username = e.username
                                 ORDER BY g.id LIMIT 1), l.guest_id),
                       CAST(e.mac AS macaddr), CAST(e.ip AS inet), e.start_time, e.last_update, e.end_time,
                       e.input_octets, e.output_octets, e.session_time, e.terminate_cause,
                       e.nas_epoch, e.ssid, CAST(e.ap_mac AS macaddr), e.ap_name, e.ap_group, e.ap_location_id,
                       CAST(e.framed_ipv6_address AS inet), CAST(e.framed_ipv6_prefix AS inet),
                       CAST(e.delegated_ipv6_prefix AS inet), e.framed_interface_id, e.acct_multi_session_id,
                       decode(e.radius_class, 'hex'), decode(e.chargeable_user_identity, 'hex'),
                       l.guest_device_description, l.login_type_name, l.service_profile_name, l.access_code
                FROM e
                """
                + LoginLinking.latestLogin("?", "CAST(e.mac AS macaddr)")
                + """
                  AND NOT EXISTS (SELECT 1 FROM was o
                                  WHERE o.nas_id = e.nas_id AND o.acct_session_id = e.acct_session_id
                                    AND o.nas_epoch = e.nas_epoch)
                ), written AS (
                INSERT INTO session AS s (tenant_id, location_id, nas_id, acct_session_id, username, guest_id,
                                          guest_device_mac, guest_device_ip, start_time, last_update, end_time,
                                          input_octets, output_octets, session_time, terminate_cause, nas_epoch,
                """
                + ATTRIBUTE_COLUMNS
                + """
                , guest_device_description, login_type_name, service_profile_name, access_code)
                SELECT * FROM source
                """
                + MERGE_RULES
                + "RETURNING "
                + EventLog.UPSERT_RETURNING
                + """

                ), changed AS (
                    SELECT w.*, o.start_time AS was_start_time, o.end_time AS was_end_time
                    FROM written w LEFT JOIN was o ON o.id = w.id
                )
                """;
    }

    private static final String UPSERT =
            upsertFrom(
                    """
                    (SELECT CAST(? AS bigint), CAST(? AS bigint), CAST(? AS bigint), CAST(? AS text), CAST(? AS text),
                            CAST(? AS text), CAST(? AS text), CAST(? AS timestamptz), CAST(? AS timestamptz),
                            CAST(? AS timestamptz), CAST(? AS bigint), CAST(? AS bigint), CAST(? AS bigint),
                            CAST(? AS text),
                            COALESCE((SELECT max(b.at) FROM nas_accounting_on b
                                      WHERE b.tenant_id = ? AND b.nas_id = ? AND b.at <= CAST(? AS timestamptz)),
                                     '-infinity'),
                            CAST(? AS text), CAST(? AS text), CAST(? AS text), CAST(? AS text), CAST(? AS text),
                            CAST(? AS text), CAST(? AS text), CAST(? AS text), CAST(? AS text), CAST(? AS text),
                            CAST(? AS text), CAST(? AS text))
                    """);

    /** How many parameters the row of {@link #UPSERT} takes, before the tenant's. */
    private static final int UPSERT_ROW_PARAMETERS = 29;

    /** The same upsert for many rows at once, one array per column; no session may appear twice. */
    static final String UPSERT_ROWS =
            upsertFrom(
                    """
                    unnest(CAST(? AS bigint[]), CAST(? AS bigint[]), CAST(? AS bigint[]), CAST(? AS text[]),
                           CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS timestamptz[]),
                           CAST(? AS timestamptz[]), CAST(? AS timestamptz[]), CAST(? AS bigint[]), CAST(? AS bigint[]),
                           CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS timestamptz[]),
                           CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]),
                           CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]),
                           CAST(? AS text[]), CAST(? AS text[]))
                    """);

    private static final String CLOSE_NAS_SESSIONS =
            """
            UPDATE session SET end_time = GREATEST(start_time, ?), last_update = GREATEST(last_update, ?),
                               terminate_cause = COALESCE(terminate_cause, ?)
            WHERE tenant_id = ? AND nas_id = ? AND end_time IS NULL AND start_time <= ?
            """;

    /**
     * An Accounting-On begins a new epoch of the NAS's Acct-Session-Ids (V43); a retransmit records
     * it once.
     */
    private static final String RECORD_ACCOUNTING_ON =
            """
            INSERT INTO nas_accounting_on (tenant_id, nas_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING
            """;

    /**
     * Ends the sessions that the batch's Starts superseded: open sessions of the same device (MAC)
     * at the same NAS under another Acct-Session-Id that started before the Start, each at the
     * earliest such Start's time, for tenants that keep the rule on (V43). The terminate cause is
     * left unset, for the NAS's own Stop to fill if it comes after all; its end time no longer
     * moves. One tenant's Starts; the tenant is a parameter (three times, after the arrays).
     *
     * <p>Each Start's sessions are looked up in one descent of V62's index: the lateral lookup asks
     * for them in id order, which among the indexes on the tenant's open sessions only that one
     * gives, so it is chosen even before the table's first ANALYZE, when PostgreSQL takes every
     * such index to hold about one row for the tenant. For the same reason the update finds each
     * session by its key and checks that it is still open by comparing the end the lookup read
     * (null), not by {@code end_time IS NULL}, which would offer the tenant's open sessions as a
     * scan of their own. PostgreSQL checks that comparison again on the row version it locks.
     */
    static final String END_SUPERSEDED =
            """
            UPDATE session AS s SET end_time = GREATEST(s.start_time, n.superseded_at)
            FROM (SELECT DISTINCT ON (o.id) o.id AS superseded_id, o.end_time AS was_end_time,
                         e.start_time AS superseded_at
                  FROM unnest(CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS timestamptz[]))
                       AS e(nas_id, mac, acct_session_id, start_time)
                  JOIN tenant t ON t.id = ? AND t.end_superseded_sessions
                  CROSS JOIN LATERAL (
                      SELECT o.id, o.end_time FROM session o
                      WHERE o.tenant_id = ? AND o.guest_device_mac = CAST(e.mac AS macaddr) AND o.nas_id = e.nas_id
                        AND o.end_time IS NULL AND o.start_time < e.start_time
                        AND o.acct_session_id <> e.acct_session_id
                      ORDER BY o.id) o
                  ORDER BY o.id, e.start_time) AS n
            WHERE s.tenant_id = ? AND s.id = n.superseded_id AND s.end_time IS NOT DISTINCT FROM n.was_end_time
            """;

    private final JdbcOperations jdbc;
    private final EventLog events;

    SessionRecorder(JdbcOperations jdbc, EventLog events) {
        this.jdbc = jdbc;
        this.events = events;
    }

    /**
     * Applies every event, in order, in one transaction: all are stored or, on failure, none. Each
     * tenant's events are applied by statements of their own, tenant after tenant, in order among
     * themselves: no session, NAS, login or guest is shared between tenants, and Citus sends a
     * statement to one tenant's shards only.
     */
    @Transactional
    public void record(List<AccountingEvent> events) {
        try {
            LoginLinking.beforeSessionInserts(
                    jdbc.getConnection(),
                    events.stream()
                            .map(e -> new LoginLinking.Venue(e.tenantId(), e.locationId()))
                            .toList());
        } catch (SQLException e) {
            throw new IllegalStateException("Locking the batch's venues failed", e);
        }
        Map<Long, List<AccountingEvent>> byTenant = new TreeMap<>();
        for (AccountingEvent e : events) {
            byTenant.computeIfAbsent(e.tenantId(), t -> new ArrayList<>()).add(e);
        }
        for (List<AccountingEvent> tenantEvents : byTenant.values()) {
            recordTenant(tenantEvents);
        }
    }

    private void recordTenant(List<AccountingEvent> events) {
        int from = 0;
        for (int i = 0; i <= events.size(); i++) {
            if (i == events.size() || events.get(i).type().isNasWide()) {
                upsert(events.subList(from, i));
                endSuperseded(events.subList(from, i));
                if (i < events.size()) {
                    closeNasSessions(events.get(i));
                }
                from = i + 1;
            }
        }
    }

    /**
     * Stores one tenant's session events between two Accounting-On/Off, folded where that is safe.
     * Not private: the tests' oracle stores the same events with {@link #upsertOneByOne}, the
     * definition of the upsert, and compares the rows.
     */
    void upsert(List<AccountingEvent> sessionEvents) {
        if (sessionEvents.isEmpty()) {
            return;
        }
        if (!sessionEvents.stream().allMatch(SessionRecorder::foldable)) {
            upsertOneByOne(sessionEvents);
            return;
        }
        for (List<Row> round : rounds(sessionEvents, epochs(sessionEvents))) {
            upsertRows(round);
        }
    }

    /**
     * After the session events between two Accounting-On/Off are stored, whichever way: a Start
     * ends what it superseded however the events were ordered in the batch.
     */
    private void endSuperseded(List<AccountingEvent> sessionEvents) {
        List<AccountingEvent> starts =
                sessionEvents.stream()
                        .filter(
                                e ->
                                        e.type() == AccountingEvent.Type.START
                                                && e.deviceMac() != null
                                                && e.acctSessionId() != null)
                        .toList();
        if (starts.isEmpty()) {
            return;
        }
        int n = starts.size();
        long tenant = starts.get(0).tenantId();
        long[] nases = new long[n];
        String[] macs = new String[n];
        String[] acctSessionIds = new String[n];
        String[] times = new String[n];
        for (int i = 0; i < n; i++) {
            AccountingEvent e = starts.get(i);
            nases[i] = e.nasId();
            macs[i] = e.deviceMac();
            acctSessionIds[i] = e.acctSessionId();
            times[i] = timestamp(e.startTime());
        }
        long[] logged = events.consumingAmong(new long[] {tenant});
        String sql = VenueDays.logged(END_SUPERSEDED, EventLog.UPDATE_RETURNING, logged.length > 0);
        jdbc.prepareStatement(
                sql,
                st -> {
                    java.sql.Connection c = st.getConnection();
                    int i = 0;
                    st.setObject(++i, nases);
                    st.setArray(++i, c.createArrayOf("text", macs));
                    st.setArray(++i, c.createArrayOf("text", acctSessionIds));
                    st.setArray(++i, c.createArrayOf("text", times));
                    st.setLong(++i, tenant);
                    st.setLong(++i, tenant);
                    st.setLong(++i, tenant);
                    st.setLong(++i, tenant); // VenueDays.LOGGED
                    if (logged.length > 0) {
                        st.setArray(++i, c.createArrayOf("bigint", box(logged)));
                    }
                    return st.execute();
                });
    }

    /**
     * One upsert per event: for a batch the database may refuse part of, and as the upsert's
     * definition.
     */
    final void upsertOneByOne(List<AccountingEvent> sessionEvents) {
        if (sessionEvents.isEmpty()) {
            return;
        }
        long[] logged = events.consumingAmong(new long[] {sessionEvents.get(0).tenantId()});
        // Rare (a batch the database may refuse part of): one statement per event, each logging its
        // own.
        jdbc.prepareStatement(
                VenueDays.logged(UPSERT, logged.length > 0),
                statement -> {
                    for (AccountingEvent e : sessionEvents) {
                        bind(statement, e);
                        int i = UPSERT_ROW_PARAMETERS;
                        for (int t = 0; t < UPSERT_TENANT_PARAMETERS; t++) {
                            statement.setLong(++i, e.tenantId());
                        }
                        statement.setLong(++i, e.tenantId()); // VenueDays.LOGGED
                        if (logged.length > 0) {
                            statement.setArray(
                                    ++i,
                                    statement.getConnection().createArrayOf("bigint", box(logged)));
                        }
                        statement.execute();
                    }
                    return null;
                });
    }

    /**
     * An event the database takes exactly as the upsert's rules say, whatever the other events of
     * its session: folding could otherwise hide a value that the one-row upsert would have refused.
     */
    static boolean foldable(AccountingEvent e) {
        return e.acctSessionId() != null
                && e.inputOctets() >= 0
                && e.outputOctets() >= 0
                && (e.sessionTime() == null || e.sessionTime() >= 0)
                && noNul(e.acctSessionId())
                && noNul(e.username())
                && noNul(e.deviceMac())
                && noNul(e.deviceIp())
                && noNul(e.terminateCause())
                && e.attributes().values().stream().allMatch(SessionRecorder::noNul);
    }

    private static boolean noNul(String s) {
        return s == null || s.indexOf('\0') < 0;
    }

    /**
     * The session events of a batch (no Accounting-On/Off among them) as rounds of rows, each
     * session at most once per round, to be applied in order: round 1 is each session's first event
     * as it came, the later rounds its other events folded while their usernames agree.
     */
    static List<List<Row>> rounds(List<AccountingEvent> sessionEvents, NasEpochs epochs) {
        Map<SessionKey, List<Row>> bySession = new HashMap<>();
        List<List<Row>> rounds = new ArrayList<>();
        for (AccountingEvent e : sessionEvents) {
            Instant epoch = epochs.of(e);
            List<Row> rows =
                    bySession.computeIfAbsent(
                            new SessionKey(e.tenantId(), e.nasId(), e.acctSessionId(), epoch),
                            k -> new ArrayList<>(2));
            if (rows.size() >= 2 && rows.get(rows.size() - 1).canAbsorb(e)) {
                rows.get(rows.size() - 1).absorb(e);
                continue;
            }
            Row row = new Row(e, epoch);
            if (rows.size() == rounds.size()) {
                rounds.add(new ArrayList<>());
            }
            rounds.get(rows.size()).add(row);
            rows.add(row);
        }
        return rounds;
    }

    /**
     * A session's accounting key as V43 defines it; a null epoch is -infinity (no Accounting-On
     * before it).
     */
    private record SessionKey(long tenantId, long nasId, String acctSessionId, Instant epoch) {}

    /**
     * The Accounting-On times of the NAS of a batch, so that the folding keys events by the session
     * the database will put them in: a late event of a session from before a reboot and an event of
     * the new session that reuses its Acct-Session-Id must not be folded into one row.
     */
    static final class NasEpochs {
        static final NasEpochs NONE = new NasEpochs(Map.of());

        private final Map<List<Long>, java.util.NavigableSet<Instant>> accountingOns;

        NasEpochs(Map<List<Long>, java.util.NavigableSet<Instant>> accountingOns) {
            this.accountingOns = accountingOns;
        }

        /**
         * The latest Accounting-On of the event's NAS at or before its start, as the database
         * rounds it; null for none.
         */
        Instant of(AccountingEvent e) {
            java.util.NavigableSet<Instant> ons =
                    accountingOns.get(List.of(e.tenantId(), e.nasId()));
            return ons == null ? null : ons.floor(Instant.parse(timestamp(e.startTime())));
        }
    }

    private static final String ACCOUNTING_ONS =
            """
            SELECT b.tenant_id, b.nas_id, b.at FROM nas_accounting_on b
            WHERE b.tenant_id = ? AND b.nas_id = ANY (CAST(? AS bigint[]))
            """;

    /** The Accounting-Ons of the NAS of one tenant's session events. */
    private NasEpochs epochs(List<AccountingEvent> sessionEvents) {
        long tenant = sessionEvents.get(0).tenantId();
        Long[] nasIds =
                sessionEvents.stream().map(AccountingEvent::nasId).distinct().toArray(Long[]::new);
        Map<List<Long>, java.util.NavigableSet<Instant>> ons = new HashMap<>();
        jdbc.prepareStatement(
                ACCOUNTING_ONS,
                st -> {
                    st.setLong(1, tenant);
                    st.setArray(2, st.getConnection().createArrayOf("bigint", nasIds));
                    try (java.sql.ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            ons.computeIfAbsent(
                                            List.of(rs.getLong(1), rs.getLong(2)),
                                            k -> new java.util.TreeSet<>())
                                    .add(rs.getObject(3, OffsetDateTime.class).toInstant());
                        }
                    }
                    return null;
                });
        return ons.isEmpty() ? NasEpochs.NONE : new NasEpochs(ons);
    }

    /**
     * One session's events folded into the row that the upsert proposes: applying the folded row
     * stores what applying its events one by one stores, because each column's rule is first
     * non-null (username, MAC, end, terminate cause), last non-null (IP address and the {@link
     * SessionAttributes}), least (start) or greatest (last update, counters, session time, NULL
     * counting as absent) and so associative. The guest is looked up by the folded username; that
     * is the first non-null lookup of the events only while their non-null usernames agree, which
     * {@link #canAbsorb} asks. The location is the first event's: the upsert never changes it.
     */
    static final class Row {
        final long tenantId;
        final long locationId;
        final long nasId;
        final String acctSessionId;
        String username;
        String deviceMac;
        String deviceIp;
        Instant startTime;
        Instant lastUpdate;
        Instant endTime;
        long inputOctets;
        long outputOctets;
        Long sessionTime;
        String terminateCause;
        SessionAttributes attributes;
        final Instant epoch;

        Row(AccountingEvent e, Instant epoch) {
            this.epoch = epoch;
            tenantId = e.tenantId();
            locationId = e.locationId();
            nasId = e.nasId();
            acctSessionId = e.acctSessionId();
            username = e.username();
            deviceMac = e.deviceMac();
            deviceIp = e.deviceIp();
            startTime = e.startTime();
            lastUpdate = e.eventTime();
            endTime = e.type() == AccountingEvent.Type.STOP ? e.eventTime() : null;
            inputOctets = e.inputOctets();
            outputOctets = e.outputOctets();
            sessionTime = e.sessionTime();
            terminateCause = e.terminateCause();
            attributes = e.attributes();
        }

        boolean canAbsorb(AccountingEvent e) {
            return username == null || e.username() == null || username.equals(e.username());
        }

        void absorb(AccountingEvent e) {
            Row next = new Row(e, epoch);
            username = username != null ? username : next.username;
            deviceMac = deviceMac != null ? deviceMac : next.deviceMac;
            deviceIp = next.deviceIp != null ? next.deviceIp : deviceIp;
            startTime = next.startTime.isBefore(startTime) ? next.startTime : startTime;
            lastUpdate = next.lastUpdate.isAfter(lastUpdate) ? next.lastUpdate : lastUpdate;
            endTime = endTime != null ? endTime : next.endTime;
            inputOctets = Math.max(inputOctets, next.inputOctets);
            outputOctets = Math.max(outputOctets, next.outputOctets);
            sessionTime =
                    sessionTime == null
                            ? next.sessionTime
                            : next.sessionTime == null
                                    ? sessionTime
                                    : Long.valueOf(Math.max(sessionTime, next.sessionTime));
            terminateCause = terminateCause != null ? terminateCause : next.terminateCause;
            attributes = attributes.then(next.attributes);
        }
    }

    private void upsertRows(List<Row> rows) {
        int n = rows.size();
        long[] tenants = new long[n];
        long[] locations = new long[n];
        long[] nases = new long[n];
        String[] acctSessionIds = new String[n];
        String[] usernames = new String[n];
        String[] macs = new String[n];
        String[] ips = new String[n];
        String[] starts = new String[n];
        String[] lastUpdates = new String[n];
        String[] ends = new String[n];
        long[] inputs = new long[n];
        long[] outputs = new long[n];
        Long[] sessionTimes = new Long[n];
        String[] causes = new String[n];
        String[][] attributes = new String[n][];
        String[] epochs = new String[n];
        for (int i = 0; i < n; i++) {
            Row r = rows.get(i);
            tenants[i] = r.tenantId;
            locations[i] = r.locationId;
            nases[i] = r.nasId;
            acctSessionIds[i] = r.acctSessionId;
            usernames[i] = r.username;
            macs[i] = r.deviceMac;
            ips[i] = r.deviceIp;
            starts[i] = timestamp(r.startTime);
            lastUpdates[i] = timestamp(r.lastUpdate);
            ends[i] = r.endTime == null ? null : timestamp(r.endTime);
            inputs[i] = r.inputOctets;
            outputs[i] = r.outputOctets;
            sessionTimes[i] = r.sessionTime;
            causes[i] = r.terminateCause;
            attributes[i] = r.attributes.values().toArray(String[]::new);
            epochs[i] = r.epoch == null ? "-infinity" : timestamp(r.epoch);
        }
        long tenant = tenants[0];
        long[] logged = events.consumingAmong(new long[] {tenant});
        String sql = VenueDays.logged(UPSERT_ROWS, logged.length > 0);
        jdbc.prepareStatement(
                sql,
                st -> {
                    java.sql.Connection c = st.getConnection();
                    int i = 0;
                    st.setObject(++i, tenants);
                    st.setObject(++i, locations);
                    st.setObject(++i, nases);
                    st.setArray(++i, c.createArrayOf("text", acctSessionIds));
                    st.setArray(++i, c.createArrayOf("text", usernames));
                    st.setArray(++i, c.createArrayOf("text", macs));
                    st.setArray(++i, c.createArrayOf("text", ips));
                    st.setArray(++i, c.createArrayOf("text", starts));
                    st.setArray(++i, c.createArrayOf("text", lastUpdates));
                    st.setArray(++i, c.createArrayOf("text", ends));
                    st.setObject(++i, inputs);
                    st.setObject(++i, outputs);
                    st.setArray(++i, c.createArrayOf("int8", sessionTimes));
                    st.setArray(++i, c.createArrayOf("text", causes));
                    st.setArray(++i, c.createArrayOf("text", epochs));
                    for (int column = 0;
                            column < SessionAttributes.NONE.values().size();
                            column++) {
                        String[] values = new String[n];
                        for (int row = 0; row < n; row++) {
                            values[row] = attributes[row][column];
                        }
                        st.setArray(++i, c.createArrayOf("text", values));
                    }
                    for (int t = 0; t < UPSERT_TENANT_PARAMETERS; t++) {
                        st.setLong(++i, tenant);
                    }
                    st.setLong(++i, tenant); // VenueDays.LOGGED
                    if (logged.length > 0) {
                        st.setArray(++i, c.createArrayOf("bigint", box(logged)));
                    }
                    return st.execute();
                });
    }

    /** ISO-8601 in UTC, rounded half up to the microsecond as pgjdbc rounds an OffsetDateTime. */
    static String timestamp(Instant t) {
        long nanos = t.getNano();
        if (nanos % 1000 == 0) {
            return t.toString();
        }
        return t.minusNanos(nanos % 1000).plusNanos(nanos % 1000 >= 500 ? 1000 : 0).toString();
    }

    private void closeNasSessions(AccountingEvent e) {
        OffsetDateTime at = OffsetDateTime.ofInstant(e.eventTime(), ZoneOffset.UTC);
        if (e.type() == AccountingEvent.Type.ACCOUNTING_ON) {
            jdbc.prepareStatement(
                    RECORD_ACCOUNTING_ON,
                    st -> {
                        st.setLong(1, e.tenantId());
                        st.setLong(2, e.nasId());
                        st.setObject(3, at);
                        return st.executeUpdate();
                    });
        }
        long[] logged = events.consumingAmong(new long[] {e.tenantId()});
        String sql =
                VenueDays.logged(CLOSE_NAS_SESSIONS, EventLog.UPDATE_RETURNING, logged.length > 0);
        jdbc.prepareStatement(
                sql,
                st -> {
                    st.setObject(1, at);
                    st.setObject(2, at);
                    st.setString(
                            3,
                            e.type() == AccountingEvent.Type.ACCOUNTING_ON
                                    ? "NAS-Reboot"
                                    : "NAS-Request");
                    st.setLong(4, e.tenantId());
                    st.setLong(5, e.nasId());
                    st.setObject(6, at);
                    st.setLong(7, e.tenantId()); // VenueDays.LOGGED
                    if (logged.length > 0) {
                        st.setArray(8, st.getConnection().createArrayOf("bigint", box(logged)));
                    }
                    return st.execute();
                });
    }

    private static Long[] box(long[] values) {
        return java.util.Arrays.stream(values).boxed().toArray(Long[]::new);
    }

    private static void bind(PreparedStatement st, AccountingEvent e) throws SQLException {
        OffsetDateTime start = OffsetDateTime.ofInstant(e.startTime(), ZoneOffset.UTC);
        OffsetDateTime event = OffsetDateTime.ofInstant(e.eventTime(), ZoneOffset.UTC);
        int i = 0;
        st.setLong(++i, e.tenantId());
        st.setLong(++i, e.locationId());
        st.setLong(++i, e.nasId());
        st.setString(++i, e.acctSessionId());
        st.setString(++i, e.username());
        st.setString(++i, e.deviceMac());
        st.setString(++i, e.deviceIp());
        st.setObject(++i, start);
        st.setObject(++i, event);
        if (e.type() == AccountingEvent.Type.STOP) {
            st.setObject(++i, event);
        } else {
            st.setNull(++i, Types.TIMESTAMP_WITH_TIMEZONE);
        }
        st.setLong(++i, e.inputOctets());
        st.setLong(++i, e.outputOctets());
        if (e.sessionTime() == null) {
            st.setNull(++i, Types.BIGINT);
        } else {
            st.setLong(++i, e.sessionTime());
        }
        st.setString(++i, e.terminateCause());
        st.setLong(++i, e.tenantId());
        st.setLong(++i, e.nasId());
        st.setObject(++i, start);
        for (String value : e.attributes().values()) {
            st.setString(++i, value);
        }
    }
}
