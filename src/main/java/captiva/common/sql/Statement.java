package captiva.common.sql;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A statement under construction: the text and its parameters, in order. */
public final class Statement {
    private final StringBuilder sql;
    private final List<Object> params = new ArrayList<>();

    /** Any statement; Instant, Long[] and String[] parameters are bound as timestamptz and arrays. */
    public Statement(String base, Object... values) {
        sql = new StringBuilder();
        add(base, values);
    }

    public Statement add(String fragment, Object... values) {
        sql.append(fragment);
        params.addAll(Arrays.asList(values));   // a null value binds SQL NULL
        return this;
    }

    public PreparedStatement prepare(Connection connection) throws SQLException {
        return prepare(connection, "");
    }

    /** @param prefix put before the statement, such as {@code EXPLAIN} in the plan tests */
    public PreparedStatement prepare(Connection connection, String prefix) throws SQLException {
        PreparedStatement st = connection.prepareStatement(prefix + sql);
        for (int i = 0; i < params.size(); i++) {
            Object value = params.get(i);
            if (value instanceof Instant instant) {
                st.setObject(i + 1, SqlTimes.offset(instant));
            } else if (value instanceof Long[] longs) {
                Array array = connection.createArrayOf("bigint", longs);
                st.setArray(i + 1, array);
            } else if (value instanceof String[] strings) {
                st.setArray(i + 1, connection.createArrayOf("text", strings));
            } else {
                st.setObject(i + 1, value);
            }
        }
        return st;
    }
}
