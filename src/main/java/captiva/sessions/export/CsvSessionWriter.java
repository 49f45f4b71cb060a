package captiva.sessions.export;

import captiva.sessions.query.SessionView;
import io.micronaut.core.annotation.Nullable;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * RFC 4180 CSV in UTF-8: a header row, CRLF line ends, and a field quoted (quotes doubled) when it
 * holds a comma, quote, CR or LF. The columns are the fields of {@link SessionView}, in order and
 * named as in JSON, so both formats carry the same data. As in PostgreSQL's CSV, null is an empty
 * field and the empty string is {@code ""}, so the two stay apart.
 */
final class CsvSessionWriter implements SessionWriter {

    private static final List<RecordComponent> COLUMNS = List.of(SessionView.class.getRecordComponents());
    private static final byte[] HEADER = (COLUMNS.stream().map(c -> snakeCase(c.getName())).collect(Collectors.joining(","))
            + "\r\n").getBytes(StandardCharsets.UTF_8);

    private final StringBuilder line = new StringBuilder(512);

    @Override
    public void header(ByteArrayOutputStream out) {
        out.writeBytes(HEADER);
    }

    @Override
    public void row(SessionView session, ByteArrayOutputStream out) {
        line.setLength(0);
        for (int i = 0; i < COLUMNS.size(); i++) {
            if (i > 0) {
                line.append(',');
            }
            appendField(value(COLUMNS.get(i), session));
        }
        line.append("\r\n");
        out.writeBytes(line.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void appendField(@Nullable Object value) {
        if (value == null) {
            return;
        }
        String text = value.toString();
        if (text.isEmpty() || needsQuotes(text)) {
            line.append('"').append(text.replace("\"", "\"\"")).append('"');
        } else {
            line.append(text);
        }
    }

    private static boolean needsQuotes(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ',' || c == '"' || c == '\r' || c == '\n') {
                return true;
            }
        }
        return false;
    }

    @Nullable
    private static Object value(RecordComponent column, SessionView session) {
        try {
            return column.getAccessor().invoke(session);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("SessionView." + column.getName() + " is not readable", e);
        }
    }

    /** guestDeviceMac becomes guest_device_mac, as SnakeCaseStrategy names it in JSON. */
    static String snakeCase(String name) {
        return name.replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
    }
}
