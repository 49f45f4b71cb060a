package captiva.sessions;

import io.micronaut.core.annotation.Nullable;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Finds or creates the guests of one tenant, within one transaction, by one matching rule: the same
 * person is found by yas_id first, then by email (in any case), then, where the caller offers it,
 * by username. A guest found by username only is taken when it does not contradict what is given: a
 * guest with another yas_id or email is another person sharing the username (a room number, a
 * voucher code), so a new guest is made instead of merging the two.
 *
 * <p>The session import finds by yas_id and email only, and leaves a guest it finds as it is;
 * portal logins also find by username and update the guest with what they tell. A caller limited to
 * some venues finds only guests seen there.
 */
public final class GuestResolver {

    /**
     * A guest a location-restricted caller may know: one with a session or a login at its venues.
     */
    private static final String SEEN_AT_VENUES =
            """
            (EXISTS (SELECT 1 FROM session s
                     WHERE s.tenant_id = guest.tenant_id AND s.location_id = ANY(?) AND s.guest_id = guest.id)
             OR EXISTS (SELECT 1 FROM login l
                        WHERE l.tenant_id = guest.tenant_id AND l.guest_id = guest.id AND l.location_id = ANY(?)))""";

    private static final Match BY_YAS_ID = new Match("tenant_id = ? AND yas_id = ?");
    private static final Match BY_EMAIL = new Match("tenant_id = ? AND lower(email) = lower(?)");
    private static final Match BY_USERNAME =
            new Match(
                    """
            tenant_id = ? AND username = ?
              AND (CAST(? AS text) IS NULL OR yas_id IS NULL) AND (CAST(? AS text) IS NULL OR email IS NULL)""");

    /**
     * One step of the matching rule as its two statements, written once: the oldest guest of the
     * tenant matching {@code where}, among all guests or among those seen at the caller's venues.
     */
    private record Match(String anyVenue, String atVenues) {
        Match(String where) {
            this(
                    "SELECT id FROM guest WHERE " + where + " ORDER BY id LIMIT 1",
                    "SELECT id FROM guest WHERE "
                            + where
                            + " AND "
                            + SEEN_AT_VENUES
                            + " ORDER BY id LIMIT 1");
        }
    }

    private static final String CREATE =
            "INSERT INTO guest (tenant_id, username, name, email, yas_id) VALUES (?, ?, ?, ?, ?) RETURNING id";
    // The username is the RADIUS User-Name that SessionRecorder looks guests up by: set, never
    // replaced.
    private static final String UPDATE =
            """
            UPDATE guest SET name = COALESCE(?, name), email = COALESCE(?, email), yas_id = COALESCE(?, yas_id),
                             username = COALESCE(username, ?)
            WHERE tenant_id = ? AND id = ?
            """;

    private final Connection connection;
    private final long tenantId;
    @Nullable private final Long[] venues;
    private final Map<String, Long> known = new HashMap<>();

    /** Finds among all of the tenant's guests: for callers that may see every venue. */
    public GuestResolver(Connection connection, long tenantId) {
        this(connection, tenantId, null);
    }

    /**
     * Finds only among the guests seen at {@code venues} (null: every venue). A caller limited to
     * some venues may not change, nor learn of, a guest known only elsewhere: an email or yas_id it
     * gives that matches only such a guest makes a new guest instead, so the answer is the same
     * whether or not the guest exists, and no reader of the other venues sees the guest changed.
     */
    public GuestResolver(Connection connection, long tenantId, @Nullable Set<Long> venues) {
        this.connection = connection;
        this.tenantId = tenantId;
        this.venues = venues == null ? null : venues.toArray(Long[]::new);
    }

    /**
     * For imports: the guest's id, found by yas_id or email, else created with the session's
     * username. Returns null when the record names no guest.
     */
    @Nullable
    Long idOf(@Nullable ImportedSession.Guest guest, @Nullable String username)
            throws SQLException {
        if (guest == null
                || (guest.yasId() == null && guest.email() == null && guest.name() == null)) {
            return null;
        }
        String key =
                guest.yasId() != null
                        ? "yas:" + guest.yasId()
                        : guest.email() != null ? "email:" + guest.email().toLowerCase() : null;
        if (key != null && known.containsKey(key)) {
            return known.get(key);
        }
        Long id = find(guest.yasId(), guest.email(), null);
        if (id == null) {
            id = create(username, guest.name(), guest.email(), guest.yasId());
        }
        if (key != null) {
            known.put(key, id);
        }
        return id;
    }

    /**
     * For portal logins: finds the guest by yas_id, email or username, sets the name, email and
     * yas_id that are given (and the username if the guest has none), or creates the guest. Returns
     * empty when nothing is given to know the guest by.
     */
    public OptionalLong identify(
            @Nullable String name,
            @Nullable String email,
            @Nullable String yasId,
            @Nullable String username)
            throws SQLException {
        if (name == null && email == null && yasId == null && username == null) {
            return OptionalLong.empty();
        }
        Long id = find(yasId, email, username);
        if (id == null) {
            return OptionalLong.of(create(username, name, email, yasId));
        }
        try (PreparedStatement st = connection.prepareStatement(UPDATE)) {
            st.setString(1, name);
            st.setString(2, email);
            st.setString(3, yasId);
            st.setString(4, username);
            st.setLong(5, tenantId);
            st.setLong(6, id);
            st.executeUpdate();
        }
        return OptionalLong.of(id);
    }

    /**
     * The matching rule; a null username skips the last step. Returns null when no guest matches.
     */
    @Nullable
    private Long find(@Nullable String yasId, @Nullable String email, @Nullable String username)
            throws SQLException {
        Long id = yasId != null ? find(BY_YAS_ID, yasId) : null;
        if (id == null && email != null) {
            id = find(BY_EMAIL, email);
        }
        if (id == null && username != null) {
            id = find(BY_USERNAME, username, yasId, email);
        }
        return id;
    }

    /** The oldest guest of the tenant that {@code match} finds, among those the caller may know. */
    @Nullable
    private Long find(Match match, String... values) throws SQLException {
        try (PreparedStatement st =
                connection.prepareStatement(venues == null ? match.anyVenue() : match.atVenues())) {
            int i = 0;
            st.setLong(++i, tenantId);
            for (String value : values) {
                st.setString(++i, value);
            }
            if (venues != null) {
                Array array = connection.createArrayOf("bigint", venues);
                st.setArray(++i, array);
                st.setArray(++i, array);
            }
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    private long create(
            @Nullable String username,
            @Nullable String name,
            @Nullable String email,
            @Nullable String yasId)
            throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(CREATE)) {
            st.setLong(1, tenantId);
            st.setString(2, username);
            st.setString(3, name);
            st.setString(4, email);
            st.setString(5, yasId);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
