package captiva.ingest.radius.load;

import captiva.common.radius.AcctStatusType;
import captiva.ingest.radius.load.AccountingTraffic.Packet;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Compares what a server acknowledged with what its database holds, session by session. An
 * acknowledged packet's effect must be there: a row for its Acct-Session-Id under its NAS, counters
 * at least the packet's, and the session closed if it was a Stop. Effects of packets never
 * acknowledged may or may not be there (the answer may have been lost, or the server died between
 * commit and answer): those are counted, not errors, unless the caller asks for "exactly".
 */
public final class AcknowledgedCheck {

    /** The rows of one Acct-Session-Id; {@code rows > 1} would be a duplicate session. */
    public record StoredSession(
            String acctSessionId, int rows, long inputOctets, long outputOctets, boolean closed) {}

    /**
     * The comparison.
     *
     * @param acknowledgedSessions sessions with at least one acknowledged packet
     * @param storedSessions sessions of the traffic found in the database
     * @param lost acknowledged effects missing from the database: must be empty
     * @param duplicated Acct-Session-Ids stored more than once: must be empty
     * @param beyondAcknowledged sessions holding more than was acknowledged (a row, higher counters
     *     or an end without an acknowledged packet saying so): allowed, zero when every packet was
     *     acknowledged
     */
    public record Outcome(
            int acknowledgedSessions,
            int storedSessions,
            List<String> lost,
            List<String> duplicated,
            List<String> beyondAcknowledged) {

        public boolean nothingAcknowledgedLost() {
            return lost.isEmpty() && duplicated.isEmpty();
        }

        /** The database holds what was acknowledged, no less and no more. */
        public boolean exactlyAcknowledged() {
            return nothingAcknowledgedLost() && beyondAcknowledged.isEmpty();
        }

        /** A few examples of each problem, for an assertion message or a report. */
        public String summary() {
            return "acknowledged sessions "
                    + acknowledgedSessions
                    + ", stored "
                    + storedSessions
                    + ", lost "
                    + lost.size()
                    + sample(lost)
                    + ", duplicated "
                    + duplicated.size()
                    + sample(duplicated)
                    + ", stored beyond acknowledged "
                    + beyondAcknowledged.size()
                    + sample(beyondAcknowledged);
        }

        private static String sample(List<String> problems) {
            return problems.isEmpty()
                    ? ""
                    : " " + problems.subList(0, Math.min(5, problems.size()));
        }
    }

    private AcknowledgedCheck() {}

    /** The database id of the NAS registered with this NAS-Identifier. */
    public static long nasId(Connection connection, String nasIdentifier) throws SQLException {
        try (PreparedStatement st =
                connection.prepareStatement("SELECT id FROM nas WHERE identifier = ?")) {
            st.setString(1, nasIdentifier);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException(
                            "no NAS registered with identifier " + nasIdentifier);
                }
                return rs.getLong(1);
            }
        }
    }

    /**
     * The NAS's sessions whose Acct-Session-Id starts with the prefix, grouped by Acct-Session-Id.
     */
    public static Map<String, StoredSession> read(
            Connection connection, long nasId, String sessionPrefix) throws SQLException {
        String sql =
                """
                SELECT acct_session_id, count(*), max(input_octets), max(output_octets), bool_and(end_time IS NOT NULL)
                FROM session
                WHERE tenant_id = (SELECT tenant_id FROM nas WHERE id = ?) AND nas_id = ?
                  AND starts_with(acct_session_id, ?)
                GROUP BY acct_session_id
                """;
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            st.setLong(1, nasId);
            st.setLong(2, nasId);
            st.setString(3, sessionPrefix);
            return grouped(st);
        }
    }

    /**
     * The same from FreeRADIUS's {@code radacct} (the schema rlm_sql ships): the rows of the NAS at
     * this address whose Acct-Session-Id starts with the prefix. Its queries store the counters
     * with their Gigawords folded in, as Captiva does, so the comparison is the same.
     */
    public static Map<String, StoredSession> readRadacct(
            Connection connection, InetAddress nasAddress, String sessionPrefix)
            throws SQLException {
        String sql =
                """
                SELECT acctsessionid, count(*), max(acctinputoctets), max(acctoutputoctets), bool_and(acctstoptime IS NOT NULL)
                FROM radacct
                WHERE nasipaddress = ?::inet AND starts_with(acctsessionid, ?)
                GROUP BY acctsessionid
                """;
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            st.setString(1, nasAddress.getHostAddress());
            st.setString(2, sessionPrefix);
            return grouped(st);
        }
    }

    private static Map<String, StoredSession> grouped(PreparedStatement st) throws SQLException {
        Map<String, StoredSession> stored = new HashMap<>();
        try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                stored.put(
                        rs.getString(1),
                        new StoredSession(
                                rs.getString(1),
                                rs.getInt(2),
                                rs.getLong(3),
                                rs.getLong(4),
                                rs.getBoolean(5)));
            }
        }
        return stored;
    }

    /** Compares; {@code acknowledged} says which packets of the traffic were (by any run). */
    public static Outcome compare(
            AccountingTraffic traffic,
            Predicate<Packet> acknowledged,
            Map<String, StoredSession> stored) {
        int sessions = traffic.sessions();
        boolean[] anyAcknowledged = new boolean[sessions];
        boolean[] stopAcknowledged = new boolean[sessions];
        long[] input = new long[sessions];
        long[] output = new long[sessions];
        for (Packet packet : traffic.packets()) {
            if (acknowledged.test(packet)) {
                int s = packet.session();
                anyAcknowledged[s] = true;
                stopAcknowledged[s] |= packet.type() == AcctStatusType.STOP;
                input[s] = Math.max(input[s], packet.inputOctets());
                output[s] = Math.max(output[s], packet.outputOctets());
            }
        }
        int acknowledgedSessions = 0;
        int storedSessions = 0;
        List<String> lost = new ArrayList<>();
        List<String> duplicated = new ArrayList<>();
        List<String> beyond = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            String id = traffic.acctSessionId(s);
            StoredSession row = stored.get(id);
            if (anyAcknowledged[s]) {
                acknowledgedSessions++;
            }
            if (row == null) {
                if (anyAcknowledged[s]) {
                    lost.add(id + ": acknowledged, no row");
                }
                continue;
            }
            storedSessions++;
            if (row.rows() > 1) {
                duplicated.add(id + ": " + row.rows() + " rows");
            }
            if (!anyAcknowledged[s]) {
                beyond.add(id + ": stored, nothing acknowledged");
                continue;
            }
            if (row.inputOctets() < input[s] || row.outputOctets() < output[s]) {
                lost.add(
                        id
                                + ": counters "
                                + row.inputOctets()
                                + "/"
                                + row.outputOctets()
                                + " below acknowledged "
                                + input[s]
                                + "/"
                                + output[s]);
            } else if (row.inputOctets() > input[s] || row.outputOctets() > output[s]) {
                beyond.add(id + ": counters above acknowledged");
            }
            if (stopAcknowledged[s] && !row.closed()) {
                lost.add(id + ": Stop acknowledged, session still open");
            } else if (!stopAcknowledged[s] && row.closed()) {
                beyond.add(id + ": closed, no Stop acknowledged");
            }
        }
        return new Outcome(acknowledgedSessions, storedSessions, lost, duplicated, beyond);
    }
}
