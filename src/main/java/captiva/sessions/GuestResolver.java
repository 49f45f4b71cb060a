package captiva.sessions;

import io.micronaut.core.annotation.Nullable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * Finds or creates the guest behind an imported session, within one tenant and one transaction:
 * the same person is matched by yas_id first, then by email, so repeated imports do not multiply guests.
 */
class GuestResolver {

    private static final String FIND_BY_YAS_ID = "SELECT id FROM guest WHERE tenant_id = ? AND yas_id = ? ORDER BY id LIMIT 1";
    private static final String FIND_BY_EMAIL = "SELECT id FROM guest WHERE tenant_id = ? AND lower(email) = lower(?) ORDER BY id LIMIT 1";
    private static final String CREATE = "INSERT INTO guest (tenant_id, username, name, email, yas_id) VALUES (?, ?, ?, ?, ?) RETURNING id";

    private final Connection connection;
    private final long tenantId;
    private final Map<String, Long> known = new HashMap<>();

    GuestResolver(Connection connection, long tenantId) {
        this.connection = connection;
        this.tenantId = tenantId;
    }

    /** Returns the guest's id, or null when the record names no guest. */
    @Nullable
    Long idOf(@Nullable ImportedSession.Guest guest, @Nullable String username) throws SQLException {
        if (guest == null || (guest.yasId() == null && guest.email() == null && guest.name() == null)) {
            return null;
        }
        String key = guest.yasId() != null ? "yas:" + guest.yasId()
                : guest.email() != null ? "email:" + guest.email().toLowerCase() : null;
        if (key != null && known.containsKey(key)) {
            return known.get(key);
        }
        Long id = guest.yasId() != null ? find(FIND_BY_YAS_ID, guest.yasId()) : null;
        if (id == null && guest.email() != null) {
            id = find(FIND_BY_EMAIL, guest.email());
        }
        if (id == null) {
            id = create(guest, username);
        }
        if (key != null) {
            known.put(key, id);
        }
        return id;
    }

    private Long find(String sql, String value) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            st.setLong(1, tenantId);
            st.setString(2, value);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    private long create(ImportedSession.Guest guest, @Nullable String username) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(CREATE)) {
            st.setLong(1, tenantId);
            st.setString(2, username);
            st.setString(3, guest.name());
            st.setString(4, guest.email());
            st.setString(5, guest.yasId());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
