package captiva.sessions.export;

import captiva.sessions.query.SessionView;
import de.siegmar.fastcsv.writer.CsvWriter;
import de.siegmar.fastcsv.writer.LineDelimiter;
import de.siegmar.fastcsv.writer.QuoteStrategies;
import io.micronaut.core.beans.BeanIntrospection;
import io.micronaut.core.beans.BeanProperty;
import io.micronaut.serde.config.naming.SnakeCaseStrategy;
import java.io.ByteArrayOutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * RFC 4180 CSV in UTF-8: a header row, CRLF line ends, and a field quoted (quotes doubled) when it
 * holds a comma, quote, CR or LF. The columns are the properties of {@link SessionView}, in order
 * and named as in JSON (its own naming strategy), so both formats carry the same data. As in
 * PostgreSQL's CSV, null is an empty field and the empty string is {@code ""}, so the two stay
 * apart.
 *
 * <p>Text a spreadsheet would run as a formula is neutralised, as OWASP advises against CSV
 * injection: a text cell starting with {@code = + - @}, tab or CR gets a leading {@code '}. That
 * holds for every text column, since names, descriptions, codes and profiles come from guests,
 * portals and NASes; the number columns are left alone (they are never negative, and a number is
 * not a formula). JSON lines carry every value as stored.
 */
final class CsvSessionWriter implements SessionWriter {

    private static final List<BeanProperty<SessionView, Object>> COLUMNS =
            BeanIntrospection.getIntrospection(SessionView.class).getBeanProperties().stream()
                    .toList();
    private static final String[] HEADER =
            COLUMNS.stream().map(new SnakeCaseStrategy()::translate).toArray(String[]::new);

    private final StringWriter line = new StringWriter(512);
    // Unbuffered: each record goes straight into line, to be taken out as bytes after it.
    private final CsvWriter csv =
            CsvWriter.builder()
                    .bufferSize(0)
                    .lineDelimiter(LineDelimiter.CRLF)
                    .quoteStrategy(QuoteStrategies.EMPTY)
                    .build(line);
    private final String[] fields = new String[COLUMNS.size()];

    @Override
    public void header(ByteArrayOutputStream out) {
        write(HEADER, out);
    }

    @Override
    public void row(SessionView session, ByteArrayOutputStream out) {
        for (int i = 0; i < fields.length; i++) {
            Object value = COLUMNS.get(i).get(session);
            fields[i] =
                    value instanceof String text
                            ? neutralised(text)
                            : value == null ? null : value.toString();
        }
        write(fields, out);
    }

    private void write(String[] record, ByteArrayOutputStream out) {
        line.getBuffer().setLength(0);
        csv.writeRecord(record);
        out.writeBytes(line.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The text with a leading {@code '} when it starts as a spreadsheet formula would. */
    static String neutralised(String text) {
        if (text.isEmpty()) {
            return text;
        }
        return switch (text.charAt(0)) {
            case '=', '+', '-', '@', '\t', '\r' -> "'" + text;
            default -> text;
        };
    }
}
