package captiva.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The statistics rollups' backlog, for the benchmarks: the venue-days that writers logged as
 * changed (venue_day_dirty) and the refresher has not yet recomputed.
 */
public final class RollupBacklog {

    private RollupBacklog() {}

    /**
     * Counts the backlog every {@code pollEvery} until it is empty or {@code limit} has passed
     * since {@code since} (a {@link System#nanoTime()}), and returns what is left: 0 once the
     * rollups hold everything logged.
     */
    public static long awaitEmpty(Connection c, long since, Duration limit, Duration pollEvery)
            throws SQLException, InterruptedException {
        try (PreparedStatement st = c.prepareStatement("SELECT count(*) FROM venue_day_dirty")) {
            while (true) {
                long left;
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    left = rs.getLong(1);
                }
                if (left == 0 || System.nanoTime() - since >= limit.toNanos()) {
                    return left;
                }
                Thread.sleep(pollEvery.toMillis());
            }
        }
    }
}
