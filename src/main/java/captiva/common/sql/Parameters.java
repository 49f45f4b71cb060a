package captiva.common.sql;

import java.util.List;
import java.util.Map;

/**
 * Turns the named parameters of a statement's text into the {@code ?} that JDBC binds, and lists
 * every value in the order of the {@code ?}. String literals, quoted identifiers, comments and
 * {@code ::} casts are left as they are, as the PostgreSQL driver does when it looks for {@code ?}.
 */
final class Parameters {

    private Parameters() {}

    static String toPositional(
            String sql, List<Object> positional, Map<String, Object> named, List<Object> values) {
        StringBuilder out = new StringBuilder(sql.length());
        int nextPositional = 0;
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"') {
                int end = sql.indexOf(c, i + 1);
                end = end < 0 ? n : end + 1;
                out.append(sql, i, end);
                i = end;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                end = end < 0 ? n : end;
                out.append(sql, i, end);
                i = end;
            } else if (c == ':' && i + 1 < n && sql.charAt(i + 1) == ':') {
                out.append("::");
                i += 2;
            } else if (c == ':'
                    && i + 1 < n
                    && Character.isJavaIdentifierStart(sql.charAt(i + 1))) {
                int end = i + 1;
                while (end < n && Character.isJavaIdentifierPart(sql.charAt(end))) {
                    end++;
                }
                String name = sql.substring(i + 1, end);
                if (!named.containsKey(name)) {
                    throw new IllegalStateException("No value for :" + name);
                }
                values.add(named.get(name));
                out.append('?');
                i = end;
            } else {
                if (c == '?') {
                    if (nextPositional >= positional.size()) {
                        throw new IllegalStateException(
                                "More ? than positional values (" + positional.size() + ")");
                    }
                    values.add(positional.get(nextPositional++));
                }
                out.append(c);
                i++;
            }
        }
        if (nextPositional != positional.size()) {
            throw new IllegalStateException(
                    positional.size() + " positional values for " + nextPositional + " ?");
        }
        return out.toString();
    }
}
