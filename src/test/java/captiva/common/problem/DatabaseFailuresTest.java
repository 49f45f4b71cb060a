package captiva.common.problem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.common.problem.DatabaseFailures.Kind;
import captiva.testing.Fast;
import io.micronaut.data.connection.jdbc.exceptions.CannotGetJdbcConnectionException;
import io.micronaut.data.exceptions.DataAccessException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which database failures are the caller's (400), temporary (503), or bugs (500). */
@Fast
@DisplayName("database failure classification")
class DatabaseFailuresTest {

    @ParameterizedTest(name = "SQLSTATE {0} is {1}")
    @CsvSource({
        "22021, BAD_DATA", // invalid byte sequence (NUL in text)
        "22003, BAD_DATA", // numeric value out of range
        "08006, UNAVAILABLE", // connection failure: reset by the server or the network
        "08001, UNAVAILABLE", // cannot connect
        "57P01, UNAVAILABLE", // admin shutdown
        "53300, UNAVAILABLE", // too many connections
        "57014, UNAVAILABLE", // statement timeout or cancel: the database is too slow right now
        "23505, OTHER", // unique violation: a bug here, not the caller's or the database's
        "42P01, OTHER"
    }) // undefined table
    void bySqlState(String state, Kind kind) {
        assertEquals(
                kind,
                DatabaseFailures.classify(
                        new DataAccessException("wrapped", new SQLException("x", state))));
    }

    @Test
    void aUniqueViolationIsToldApartFromOtherIntegrityErrors() {
        var taken =
                new DataAccessException(
                        "wrapped", new SQLException("duplicate key value", "23505"));
        var missingReference =
                new DataAccessException(
                        "wrapped", new SQLException("violates foreign key", "23503"));

        assertTrue(DatabaseFailures.isUniqueViolation(taken));
        assertFalse(DatabaseFailures.isUniqueViolation(missingReference));
        assertFalse(DatabaseFailures.isCancelledStatement(taken));
    }

    @Test
    void noPooledConnectionInTimeIsUnavailable() {
        var noConnection =
                new CannotGetJdbcConnectionException(
                        "Failed to obtain JDBC Connection",
                        new SQLTransientConnectionException(
                                "HikariPool-1 - Connection is not available, request timed out after 2000ms"));

        assertEquals(Kind.UNAVAILABLE, DatabaseFailures.classify(noConnection));
        assertEquals(503, DatabaseFailures.problem(noConnection).orElseThrow().status());
    }
}
