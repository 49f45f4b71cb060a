package captiva.privacy;

import captiva.events.EventLog;
import captiva.sessions.VenueDays;
import captiva.statistics.Ordinals;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.sql.Array;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Erases one guest of one tenant for a data-subject request (GDPR Art. 17): the guest record, every
 * portal login of theirs, and whatever on their sessions points at them. By email or yas_id every
 * matching guest of the tenant is erased, since the same person may have been recorded twice.
 *
 * <p>The sessions themselves stay, anonymous, so that a venue's counts and data totals do not
 * change. On each of them the guest link and the fields that identify a person or their device are
 * cleared: username (often a room number, name or voucher), guest_device_mac,
 * guest_device_description and access_code. guest_device_ip stays: it is a venue-local address, and
 * clearing it would make GET /sessions/{ip} answer with the address's previous holder, naming the
 * wrong person.
 *
 * <p>The statistics' numbering of guests and devices (captiva.statistics.Ordinals) then forgets the
 * guest, and each of their devices that no other session of the tenant carries, in the same
 * transaction: it keeps no key the sessions do not.
 */
@Singleton
public class GuestErasure {

    private static final String FIND_BY_ID =
            "SELECT id FROM guest WHERE tenant_id = ? AND id = ? FOR UPDATE";
    private static final String FIND_BY_EMAIL =
            "SELECT id FROM guest WHERE tenant_id = ? AND lower(email) = lower(?) FOR UPDATE";
    private static final String FIND_BY_YAS_ID =
            "SELECT id FROM guest WHERE tenant_id = ? AND yas_id = ? FOR UPDATE";
    private static final String UNLINK_SESSIONS =
            """
            UPDATE session SET guest_id = NULL, username = NULL, guest_device_mac = NULL,
                               guest_device_description = NULL, access_code = NULL
            WHERE tenant_id = ? AND guest_id = ANY (?)
            """;

    /** The devices of the guests' sessions, read before they are cleared. */
    private static final String DEVICES =
            """
            SELECT DISTINCT guest_device_mac::text FROM session
            WHERE tenant_id = ? AND guest_id = ANY (?) AND guest_device_mac IS NOT NULL
            """;

    private static final String DELETE_LOGINS =
            "DELETE FROM login WHERE tenant_id = ? AND guest_id = ANY (?)";
    private static final String DELETE_GUESTS =
            "DELETE FROM guest WHERE tenant_id = ? AND id = ANY (?)";

    private final JdbcOperations jdbc;
    private final EventLog events;
    private final Clock clock;

    GuestErasure(JdbcOperations jdbc, EventLog events, Clock clock) {
        this.jdbc = jdbc;
        this.events = events;
        this.clock = clock;
    }

    /** What one erasure removed. */
    public record Erased(int guests, int logins, int sessionsUnlinked) {}

    /**
     * Erases the guest; returns empty when the tenant has no such guest (another tenant's looks the
     * same).
     */
    @Transactional
    public Optional<Erased> erase(long tenantId, GuestKey key) {
        List<Long> guests = find(tenantId, key);
        if (guests.isEmpty()) {
            return Optional.empty();
        }
        List<String> devices = devices(tenantId, guests);
        // Sessions first: the guest rows can go only once nothing refers to them.
        int sessions =
                update(
                        VenueDays.logged(UNLINK_SESSIONS, VenueDays.RETURNING, false),
                        tenantId,
                        guests,
                        true);
        int logins = update(DELETE_LOGINS, tenantId, guests, false);
        int deleted = update(DELETE_GUESTS, tenantId, guests, false);
        jdbc.execute(connection -> Ordinals.forget(connection, tenantId, guests, devices));
        events.guestsErased(tenantId, guests, clock.instant());
        return Optional.of(new Erased(deleted, logins, sessions));
    }

    private List<Long> find(long tenantId, GuestKey key) {
        String sql =
                key instanceof GuestKey.Id
                        ? FIND_BY_ID
                        : key instanceof GuestKey.Email ? FIND_BY_EMAIL : FIND_BY_YAS_ID;
        return jdbc.prepareStatement(
                sql,
                st -> {
                    st.setLong(1, tenantId);
                    if (key instanceof GuestKey.Id id) {
                        st.setLong(2, id.id());
                    } else if (key instanceof GuestKey.Email email) {
                        st.setString(2, email.email());
                    } else if (key instanceof GuestKey.YasId yasId) {
                        st.setString(2, yasId.yasId());
                    }
                    List<Long> ids = new ArrayList<>();
                    try (ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getLong(1));
                        }
                    }
                    return ids;
                });
    }

    private List<String> devices(long tenantId, List<Long> guests) {
        return jdbc.prepareStatement(
                DEVICES,
                st -> {
                    st.setLong(1, tenantId);
                    st.setArray(2, st.getConnection().createArrayOf("bigint", guests.toArray()));
                    List<String> macs = new ArrayList<>();
                    try (ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            macs.add(rs.getString(1));
                        }
                    }
                    return macs;
                });
    }

    /**
     * Runs a statement on the tenant's guests; one that logs venue-days ({@link VenueDays#logged})
     * takes the tenant once more, last.
     */
    private int update(String sql, long tenantId, List<Long> guests, boolean logsVenueDays) {
        return jdbc.prepareStatement(
                sql,
                st -> {
                    Array ids = st.getConnection().createArrayOf("bigint", guests.toArray());
                    st.setLong(1, tenantId);
                    st.setArray(2, ids);
                    if (logsVenueDays) {
                        st.setLong(3, tenantId);
                    }
                    if (!st.execute()) {
                        return st.getUpdateCount();
                    }
                    // a statement that logs what it changed answers the count as a row
                    try (ResultSet rs = st.getResultSet()) {
                        rs.next();
                        return rs.getInt(1);
                    }
                });
    }
}
