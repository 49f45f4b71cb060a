package captiva.sessions.export;

import captiva.sessions.query.SessionView;
import io.micronaut.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * JSON lines: each session exactly as GET /sessions serialises it, one object a line, no header.
 */
final class NdjsonSessionWriter implements SessionWriter {

    private final JsonMapper json;

    NdjsonSessionWriter(JsonMapper json) {
        this.json = json;
    }

    @Override
    public void header(ByteArrayOutputStream out) {}

    @Override
    public void row(SessionView session, ByteArrayOutputStream out) throws IOException {
        out.writeBytes(json.writeValueAsBytes(session));
        out.write('\n');
    }
}
