package captiva.sessions.export;

import captiva.sessions.query.SessionView;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** Writes sessions in one export format, row after row, into the chunk being filled. */
interface SessionWriter {

    /** What comes before the first session: the CSV header row; nothing for JSON lines. */
    void header(ByteArrayOutputStream out) throws IOException;

    void row(SessionView session, ByteArrayOutputStream out) throws IOException;
}
