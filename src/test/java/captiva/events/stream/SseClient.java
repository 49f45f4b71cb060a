package captiva.events.stream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * A Server-Sent Events reader for tests, written from the format (WHATWG HTML, 9.2): it reads the
 * response line by line on its own thread and keeps every message and comment, in order.
 */
public final class SseClient implements AutoCloseable {

    private static final HttpClient CLIENT =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();

    /** One message: its id line (null when it had none), event type and data. */
    public record Message(String id, String event, String data) {}

    private final HttpResponse<Stream<String>> response;
    private final List<Message> messages = new CopyOnWriteArrayList<>();
    private final List<String> comments = new CopyOnWriteArrayList<>();
    private final String errorBody;
    private volatile boolean ended;
    private Thread reader;

    private SseClient(HttpResponse<Stream<String>> response) {
        this.response = response;
        if (response.statusCode() != 200) {
            try (Stream<String> lines = response.body()) {
                errorBody = String.join("\n", lines.toList());
            }
            ended = true;
            return;
        }
        errorBody = null;
        reader = new Thread(this::read, "sse-client");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens the stream and returns once the answer's head has arrived. */
    public static SseClient open(String url, String... headers) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(url)).GET().header("Accept", "text/event-stream");
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            return new SseClient(CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofLines()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int status() {
        return response.statusCode();
    }

    public HttpResponse<?> response() {
        return response;
    }

    /** The body of an answer other than 200 (a problem). */
    public String errorBody() {
        return errorBody;
    }

    public List<Message> messages() {
        return List.copyOf(messages);
    }

    public List<Message> messages(String event) {
        return messages.stream().filter(m -> m.event().equals(event)).toList();
    }

    public List<String> comments() {
        return List.copyOf(comments);
    }

    /** Whether the server ended the response. */
    public boolean ended() {
        return ended;
    }

    /** Waits (at most 20 s) until the messages so far satisfy the condition, and returns them. */
    public List<Message> awaitMessages(Predicate<List<Message>> condition) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> condition.test(messages()));
        return messages();
    }

    private void read() {
        String id = null;
        String event = "message";
        List<String> data = new ArrayList<>();
        try (Stream<String> lines = response.body()) {
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                String line = it.next();
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        messages.add(new Message(id, event, String.join("\n", data)));
                    }
                    id = null;
                    event = "message";
                    data = new ArrayList<>();
                } else if (line.startsWith(":")) {
                    comments.add(line.substring(1).strip());
                } else {
                    int colon = line.indexOf(':');
                    String field = colon < 0 ? line : line.substring(0, colon);
                    String value = colon < 0 ? "" : line.substring(colon + 1);
                    value = value.startsWith(" ") ? value.substring(1) : value;
                    switch (field) {
                        case "id" -> id = value;
                        case "event" -> event = value;
                        case "data" -> data.add(value);
                        default -> {}
                    }
                }
            }
        } catch (UncheckedIOException | IllegalStateException closed) {
            // the connection was closed, by us or by the server
        } finally {
            ended = true;
        }
    }

    /** Disconnects, as a client that goes away does. */
    @Override
    public void close() {
        if (reader != null) {
            try {
                response.body().close();
            } catch (RuntimeException ignored) {
                // already closed
            }
            reader.interrupt();
        }
    }
}
