package captiva.tenancy;

import io.micronaut.core.annotation.Nullable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneId;
import java.util.Optional;

/** Where a venue's days begin and end: in the location's time zone, else the tenant's. */
public final class VenueZones {

    private static final String LOCATION_TIME_ZONE =
            "SELECT time_zone FROM location WHERE tenant_id = ? AND id = ?";
    private static final String TENANT_TIME_ZONE = "SELECT time_zone FROM tenant WHERE id = ?";

    private VenueZones() {}

    /**
     * The zone that date-only filters are days in: the location's, else the tenant's; empty when
     * the location is not the tenant's.
     */
    public static Optional<ZoneId> ofDays(
            Connection connection, long tenantId, @Nullable Long locationId) throws SQLException {
        try (PreparedStatement st =
                connection.prepareStatement(
                        locationId != null ? LOCATION_TIME_ZONE : TENANT_TIME_ZONE)) {
            st.setLong(1, tenantId);
            if (locationId != null) {
                st.setLong(2, locationId);
            }
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(ZoneId.of(rs.getString(1))) : Optional.empty();
            }
        }
    }
}
