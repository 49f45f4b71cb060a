package captiva.common.problem;

import io.micronaut.http.HttpStatus;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Optional;

/**
 * What a database failure means for the caller. Data the database refuses (a NUL character in text,
 * say) is the caller's: a 400. An unreachable or overloaded database is temporary: a 503, so
 * clients retry. Anything else is a bug: a 500 without details. The SQLStates that code reacts to
 * are named here and nowhere else.
 */
public final class DatabaseFailures {

    public enum Kind {
        BAD_DATA,
        UNAVAILABLE,
        OTHER
    }

    /** SQLState of a statement cancelled by its timeout or by an operator. */
    private static final String QUERY_CANCELED = "57014";

    /** SQLState of a row refused by a unique index or constraint. */
    private static final String UNIQUE_VIOLATION = "23505";

    private DatabaseFailures() {}

    /**
     * Whether a statement was cancelled, by its own timeout or by an operator: the database itself
     * is fine, the question took longer than it was allowed.
     */
    public static boolean isCancelledStatement(Throwable failure) {
        return hasSqlState(failure, QUERY_CANCELED);
    }

    /**
     * Whether a unique index or constraint refused the statement: another row already holds the
     * value, which a caller checking first can still meet when it races another writer.
     */
    public static boolean isUniqueViolation(Throwable failure) {
        return hasSqlState(failure, UNIQUE_VIOLATION);
    }

    private static boolean hasSqlState(Throwable failure, String state) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && state.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    public static Kind classify(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLTransientConnectionException) {
                return Kind.UNAVAILABLE;
            }
            String state = cause instanceof SQLException sql ? sql.getSQLState() : null;
            if (state != null) {
                if (state.startsWith("22")) {
                    return Kind.BAD_DATA; // data exception: invalid text, out-of-range value
                }
                if (state.startsWith("08")
                        || state.startsWith("57P")
                        || state.startsWith("53")
                        || state.equals(QUERY_CANCELED)) {
                    // connection lost, server shutting down, out of resources, statement timeout
                    return Kind.UNAVAILABLE;
                }
            }
        }
        return Kind.OTHER;
    }

    /** The problem to answer, or empty when it is a bug that must stay a plain 500. */
    static Optional<Problem> problem(Throwable failure) {
        return switch (classify(failure)) {
            case BAD_DATA ->
                    Optional.of(
                            new Problem(
                                    "about:blank",
                                    HttpStatus.BAD_REQUEST.getReason(),
                                    400,
                                    "A value cannot be stored or compared, such as text containing a NUL character.",
                                    null));
            case UNAVAILABLE ->
                    Optional.of(
                            new Problem(
                                    "about:blank",
                                    HttpStatus.SERVICE_UNAVAILABLE.getReason(),
                                    503,
                                    "The database is unavailable; retry shortly.",
                                    null));
            case OTHER -> Optional.empty();
        };
    }
}
