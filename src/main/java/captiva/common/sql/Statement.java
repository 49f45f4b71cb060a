package captiva.common.sql;

import io.micronaut.core.annotation.Nullable;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A statement under construction: its text, put together from fragments, and its parameters. A
 * parameter is either positional ({@code ?}, its value given with the fragment, in order) or named
 * ({@code :tenant}, its value given once with {@link #bind} however often and wherever the name
 * appears). Instant, Long[], int[] and String[] values are bound as timestamptz and arrays; a null
 * value binds SQL NULL.
 */
public final class Statement {
    private final StringBuilder sql;
    private final List<Object> positional = new ArrayList<>();
    private final Map<String, Object> named = new HashMap<>();

    public Statement(String base, Object... values) {
        sql = new StringBuilder();
        add(base, values);
    }

    /** Appends a fragment and the values of its positional parameters, in order. */
    public Statement add(String fragment, Object... values) {
        sql.append(fragment);
        positional.addAll(Arrays.asList(values));
        return this;
    }

    /** Gives the value of the named parameter {@code :name}, for every place it appears. */
    public Statement bind(String name, @Nullable Object value) {
        named.put(name, value);
        return this;
    }

    public PreparedStatement prepare(Connection connection) throws SQLException {
        return prepare(connection, "");
    }

    /**
     * Prepares the statement with every parameter bound.
     *
     * @param prefix put before the statement, such as {@code EXPLAIN} in the plan tests
     * @throws IllegalStateException when a named parameter has no value, or the positional values
     *     do not match the {@code ?} in number
     */
    public PreparedStatement prepare(Connection connection, String prefix) throws SQLException {
        List<Object> values = new ArrayList<>();
        String text = Parameters.toPositional(sql.toString(), positional, named, values);
        PreparedStatement st = connection.prepareStatement(prefix + text);
        for (int i = 0; i < values.size(); i++) {
            Object value = values.get(i);
            if (value instanceof Instant instant) {
                st.setObject(i + 1, SqlTimes.offset(instant));
            } else if (value instanceof Long[] longs) {
                Array array = connection.createArrayOf("bigint", longs);
                st.setArray(i + 1, array);
            } else if (value instanceof int[] ints) {
                Object[] boxed = Arrays.stream(ints).boxed().toArray();
                st.setArray(i + 1, connection.createArrayOf("integer", boxed));
            } else if (value instanceof String[] strings) {
                st.setArray(i + 1, connection.createArrayOf("text", strings));
            } else {
                st.setObject(i + 1, value);
            }
        }
        return st;
    }

    /** The text of the statement as built, parameters as written: for messages and tests. */
    @Override
    public String toString() {
        return sql.toString();
    }
}
