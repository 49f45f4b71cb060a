package captiva.sessions.export;

import java.util.ArrayList;
import java.util.List;

/**
 * A strict RFC 4180 reader for the tests, written apart from the service's writer so that one
 * cannot hide the other's mistakes. An unquoted empty field reads as null, a quoted one as "".
 */
final class Csv {

    private Csv() {}

    static List<List<String>> parse(String text) {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (field.isEmpty() && !quoted && c == '"') {
                quoted = true;
                i++;
                while (true) {
                    if (i >= text.length()) {
                        throw new AssertionError("unterminated quoted field at " + i);
                    }
                    char q = text.charAt(i++);
                    if (q == '"') {
                        if (i < text.length() && text.charAt(i) == '"') {
                            field.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        field.append(q);
                    }
                }
                continue;
            }
            if (c == ',') {
                record.add(value(field, quoted));
                field.setLength(0);
                quoted = false;
                i++;
            } else if (c == '\r') {
                if (i + 1 >= text.length() || text.charAt(i + 1) != '\n') {
                    throw new AssertionError("bare CR at " + i);
                }
                record.add(value(field, quoted));
                records.add(record);
                record = new ArrayList<>();
                field.setLength(0);
                quoted = false;
                i += 2;
            } else if (quoted || c == '"' || c == '\n') {
                throw new AssertionError(
                        "unexpected "
                                + (int) c
                                + " at "
                                + i
                                + " (after a quoted field, or unquoted)");
            } else {
                field.append(c);
                i++;
            }
        }
        if (!field.isEmpty() || quoted || !record.isEmpty()) {
            throw new AssertionError("the last record does not end with CRLF");
        }
        return records;
    }

    private static String value(StringBuilder field, boolean quoted) {
        return field.isEmpty() && !quoted ? null : field.toString();
    }
}
