package captiva.statistics;

import captiva.common.sql.Statement;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;

/**
 * Changes a venue's time zone. A venue's days are days in its time zone, so a new zone redoes every
 * one of them: its venue_day and venue_month rows and first visits go and all its days with ended
 * sessions are logged for the refresher, in the transaction that changes the zone, so that no query
 * sees the new zone beside rows of the old one; the guests' earliest visits follow their first
 * visits. This was a row trigger on location (V9), which Citus refuses on a distributed table
 * (V57); every change of a location's time zone must come through here.
 */
@Singleton
public class VenueRezone {

    private static final String CHANGE_ZONE =
            """
            UPDATE location SET time_zone = :zone
            WHERE tenant_id = :tenant AND id = :location AND time_zone IS DISTINCT FROM :zone
            """;

    private static final String FORGET_DAYS =
            "DELETE FROM venue_day WHERE tenant_id = :tenant AND location_id = :location";

    private static final String FORGET_MONTHS =
            "DELETE FROM venue_month WHERE tenant_id = :tenant AND location_id = :location";

    private static final String LOG_EVERY_DAY =
            """
            INSERT INTO venue_day_dirty (tenant_id, location_id, day)
            SELECT DISTINCT s.tenant_id, s.location_id, (s.start_time AT TIME ZONE CAST(:zone AS text))::date
            FROM session s WHERE s.tenant_id = :tenant AND s.location_id = :location AND s.end_time IS NOT NULL
            """;

    private final JdbcOperations jdbc;

    VenueRezone(JdbcOperations jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Sets the venue's time zone (an IANA name the caller checked); returns whether it changed,
     * false when the venue already had that zone or is not the tenant's.
     */
    @Transactional
    public boolean change(long tenantId, long locationId, String timeZone) {
        if (update(CHANGE_ZONE, tenantId, locationId, timeZone) == 0) {
            return false;
        }
        update(FORGET_DAYS, tenantId, locationId, timeZone);
        update(FORGET_MONTHS, tenantId, locationId, timeZone);
        // First visits name the day they are in, in the old zone; the refresher rebuilds them.
        jdbc.execute(
                connection -> {
                    FirstVisits.forgetVenue(connection, tenantId, locationId);
                    return null;
                });
        update(LOG_EVERY_DAY, tenantId, locationId, timeZone);
        return true;
    }

    private int update(String sql, long tenantId, long locationId, String timeZone) {
        Statement statement =
                new Statement(sql)
                        .bind("tenant", tenantId)
                        .bind("location", locationId)
                        .bind("zone", timeZone);
        return jdbc.execute(
                connection -> {
                    try (PreparedStatement st = statement.prepare(connection)) {
                        return st.executeUpdate();
                    }
                });
    }
}
