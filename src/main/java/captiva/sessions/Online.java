package captiva.sessions;

import io.micronaut.core.annotation.Nullable;
import java.time.Instant;

/**
 * The one definition of online: a session is online when it has no Stop and was heard from (its
 * Start or an Interim-Update) at or after the cutoff, {@link SessionProperties#onlineTimeout()}
 * before now ({@link SessionProperties#onlineCutoff}). Every reader of sessions asks here, in SQL
 * or in Java, so that GET /sessions, /sessions/count, /guests, /locations, /sessions/statistics,
 * the IP holder look-up, the event stream's counts and the gauge agree on who is online.
 */
public final class Online {

    private Online() {}

    /**
     * The rule as SQL over the session aliased {@code alias}, with {@code cutoff} the text of the
     * cutoff (a parameter such as {@code ?} or {@code :cutoff}).
     */
    public static String sql(String alias, String cutoff) {
        return alias + ".end_time IS NULL AND " + alias + ".last_update >= " + cutoff;
    }

    /**
     * The same rule, with last_update compared as an expression. last_update is rewritten by every
     * Interim-Update, so the column's statistics always end before the current cutoff and
     * PostgreSQL would estimate that almost no session is online, then read and sort all of a
     * tenant's open sessions for one page; compared as an expression it gets a neutral estimate
     * instead, and a page walks session_tenant_open_started_idx (V8). For filters that pick pages
     * of sessions.
     */
    public static String sqlNeutrallyEstimated(String alias, String cutoff) {
        return alias
                + ".end_time IS NULL AND "
                + alias
                + ".last_update + interval '0 seconds' >= "
                + cutoff;
    }

    /** The rule in Java, for a session read with its end and last update. */
    public static boolean test(@Nullable Instant endTime, Instant lastUpdate, Instant cutoff) {
        return endTime == null && !lastUpdate.isBefore(cutoff);
    }

    /**
     * Where a session's duration ends: its Stop, now while online, else the last time it was heard
     * of (it went stale without a Stop). Statistics say the same in SQL ({@code effective_end}).
     */
    public static Instant effectiveEnd(
            @Nullable Instant endTime, Instant lastUpdate, Instant now, Instant cutoff) {
        if (endTime != null) {
            return endTime;
        }
        return test(null, lastUpdate, cutoff) ? now : lastUpdate;
    }
}
