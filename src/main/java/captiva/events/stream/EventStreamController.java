package captiva.events.stream;

import captiva.common.problem.ApiProblem;
import captiva.common.problem.Problem.InvalidParam;
import captiva.events.EventFeed;
import captiva.tenancy.TenantScope;
import captiva.tenancy.apikeys.ApiKeyGenerator;
import captiva.tenancy.apikeys.AuthenticationFailures;
import captiva.tenancy.apikeys.RequiresScope;
import captiva.tenancy.apikeys.Scope;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import reactor.core.publisher.Flux;

/**
 * GET /events/stream: the events a key may see as Server-Sent Events, as they are logged, with its
 * venues' online counts every few seconds. A client that reconnects with {@code Last-Event-ID} gets
 * exactly the events it missed, within the log's retention.
 */
@Controller("/events/stream")
@RequiresScope(Scope.SESSIONS_READ)
@ExecuteOn(TaskExecutors.BLOCKING)
class EventStreamController {

    static final String LAST_EVENT_ID = "Last-Event-ID";

    private final EventFeed feed;
    private final StreamSlots slots;
    private final EventStreams streams;

    EventStreamController(EventFeed feed, StreamSlots slots, EventStreams streams) {
        this.feed = feed;
        this.slots = slots;
        this.streams = streams;
    }

    /**
     * For routing, any type is produced: the method negotiates itself, so that a 401 or 403 comes
     * before a 406, as on the export.
     */
    @Get
    @Produces(MediaType.ALL)
    HttpResponse<Flux<byte[]>> stream(TenantScope scope, HttpRequest<?> request) {
        String accept = String.join(",", request.getHeaders().getAll(HttpHeaders.ACCEPT));
        if (!acceptsEventStream(accept)) {
            throw new ApiProblem.NotAcceptable(accept, List.of(MediaType.TEXT_EVENT_STREAM));
        }
        List<InvalidParam> errors = new ArrayList<>();
        List<String> lastIds = request.getHeaders().getAll(LAST_EVENT_ID);
        OptionalLong resumeAfter = OptionalLong.empty();
        if (lastIds.size() > 1) {
            errors.add(new InvalidParam(LAST_EVENT_ID, "may be given once"));
        } else if (lastIds.size() == 1) {
            resumeAfter = feed.decode(scope.tenantId(), lastIds.get(0).strip());
            if (resumeAfter.isEmpty()) {
                errors.add(
                        new InvalidParam(
                                LAST_EVENT_ID,
                                "is not an event id of this tenant: send the id of the last event received"));
            }
        }
        ApiProblem.InvalidParameters.failOn(errors);
        feed.markRead(scope.tenantId());
        EventFeed.Bounds bounds = feed.bounds(scope.tenantId());
        if (resumeAfter.isPresent() && bounds.lost(resumeAfter.getAsLong())) {
            throw new ApiProblem.Gone(
                    "Events after "
                            + lastIds.get(0).strip()
                            + " are past the log's retention: "
                            + "copy the current state again (GET /sessions/export) and open the stream without Last-Event-ID.");
        }
        if (request.getMethod() == HttpMethod.HEAD) {
            return eventStream(Flux.empty()); // headers only: no slot is taken
        }
        StreamSlots.Outcome outcome =
                slots.take(scope.tenantId(), ApiKeyGenerator.hash(presentedKey(request)));
        if (outcome instanceof StreamSlots.Full full) {
            throw new ApiProblem.TooManyRequests(
                    full.retryAfterSeconds(),
                    "This key has "
                            + full.maxPerKey()
                            + " streams open, the most it may: close one, or retry in "
                            + full.retryAfterSeconds()
                            + " s (a stream whose client vanished stops counting when its lease runs out).");
        }
        if (!(outcome instanceof StreamSlots.Slot slot)) {
            throw new ApiProblem.Unauthenticated("The API key is not valid.");
        }
        long position = resumeAfter.orElse(bounds.newest());
        return eventStream(Flux.from(streams.open(scope, slot, position)));
    }

    private static HttpResponse<Flux<byte[]>> eventStream(Flux<byte[]> body) {
        return HttpResponse.ok(body)
                .contentType(MediaType.TEXT_EVENT_STREAM_TYPE)
                // Never cached, and a buffering proxy (nginx) must pass each message on at once.
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .header("X-Accel-Buffering", "no");
    }

    /** The key as the API key filter found it: X-API-Key first, else the bearer token. */
    private static String presentedKey(HttpRequest<?> request) {
        Optional<String> header = request.getHeaders().get("X-API-Key", String.class);
        return header.or(() -> AuthenticationFailures.bearerToken(request)).orElseThrow();
    }

    /**
     * Whether an Accept header (empty: anything) admits text/event-stream with a weight above 0.
     */
    static boolean acceptsEventStream(String accept) {
        if (accept.isBlank()) {
            return true;
        }
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            String type = parts[0].strip().toLowerCase(Locale.ROOT);
            boolean matches =
                    type.equals("text/event-stream") || type.equals("text/*") || type.equals("*/*");
            if (matches && !zeroWeight(parts)) {
                return true;
            }
        }
        return false;
    }

    private static boolean zeroWeight(String[] parts) {
        for (int i = 1; i < parts.length; i++) {
            String param = parts[i].strip().toLowerCase(Locale.ROOT);
            if (param.startsWith("q=")) {
                try {
                    return Double.parseDouble(param.substring(2)) <= 0;
                } catch (NumberFormatException e) {
                    return false;
                }
            }
        }
        return false;
    }
}
