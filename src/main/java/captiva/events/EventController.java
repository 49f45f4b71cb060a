package captiva.events;

import captiva.common.problem.ApiProblem;
import captiva.common.problem.Problem.InvalidParam;
import captiva.tenancy.TenantScope;
import captiva.tenancy.apikeys.RequiresScope;
import captiva.tenancy.apikeys.Scope;
import io.micronaut.http.HttpParameters;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * GET /events: incremental sync. A client follows {@code links.next} for ever; each page holds the
 * events after the position it names, so nothing is read twice and, within the retention, nothing
 * is missed.
 */
@Controller("/events")
@RequiresScope(Scope.SESSIONS_READ)
@ExecuteOn(TaskExecutors.BLOCKING)
class EventController {

    static final int DEFAULT_PER_PAGE = 100;
    static final int MAX_PER_PAGE = 1000;

    private final EventFeed feed;

    EventController(EventFeed feed) {
        this.feed = feed;
    }

    @Serdeable
    record EventPage(List<EventView> data, Links links) {}

    /**
     * @param next the same request after the last event of this page; follow it even when this page
     *     was empty
     */
    @Serdeable
    record Links(String next) {}

    @Get
    EventPage list(TenantScope scope, HttpRequest<?> request) {
        HttpParameters params = request.getParameters();
        List<InvalidParam> errors = new ArrayList<>();
        Set<EventType> types = types(params.getAll("types"), errors);
        int perPage = perPage(params.getAll("per_page"), errors);
        String afterText = single(params, "after", errors);
        long after = 0;
        if (afterText != null) {
            OptionalLong decoded = feed.decode(scope.tenantId(), afterText);
            if (decoded.isEmpty()) {
                errors.add(
                        new InvalidParam(
                                "after",
                                "is not an event id of this tenant: use an id or links.next as given"));
            } else {
                after = decoded.getAsLong();
            }
        }
        ApiProblem.InvalidParameters.failOn(errors);
        feed.markRead(scope.tenantId());
        EventFeed.Bounds bounds = feed.bounds(scope.tenantId());
        if (afterText == null) {
            after = Math.max(0, bounds.oldest() - 1);
        } else if (bounds.lost(after)) {
            throw new ApiProblem.Gone(
                    "Events after "
                            + afterText
                            + " are past the log's retention: "
                            + "copy the current state again (GET /sessions/export) and follow GET /events from its links.next.");
        }
        EventFeed.Page page = feed.after(scope, after, types, perPage);
        return new EventPage(
                page.events(),
                new Links(
                        next(
                                request,
                                page.last() == 0
                                        ? null
                                        : feed.encode(scope.tenantId(), page.last()))));
    }

    private static String next(HttpRequest<?> request, String after) {
        String host =
                request.getHeaders()
                        .get("Host", String.class)
                        .filter(h -> h.matches("[A-Za-z0-9.\\-:\\[\\]]{1,260}"))
                        .orElse("localhost");
        String scheme =
                request.getHeaders()
                        .get("X-Forwarded-Proto", String.class)
                        .filter("https"::equals)
                        .orElse(request.isSecure() ? "https" : "http");
        StringBuilder url = new StringBuilder(scheme + "://" + host + "/events?");
        request.getParameters()
                .getFirst("types")
                .ifPresent(
                        t ->
                                url.append("types=")
                                        .append(URLEncoder.encode(t, StandardCharsets.UTF_8))
                                        .append('&'));
        request.getParameters()
                .getFirst("per_page")
                .ifPresent(
                        p ->
                                url.append("per_page=")
                                        .append(URLEncoder.encode(p, StandardCharsets.UTF_8))
                                        .append('&'));
        if (after != null) {
            url.append("after=").append(after);
        } else {
            url.setLength(url.length() - 1);
        }
        return url.toString();
    }

    /** {@code types=session.started,session.ended}; empty means every type. */
    static Set<EventType> types(List<String> values, List<InvalidParam> errors) {
        Set<EventType> types = EnumSet.noneOf(EventType.class);
        for (String value : values) {
            for (String name : value.split(",", -1)) {
                Optional<EventType> type = EventType.fromWireName(name.strip());
                if (type.isPresent()) {
                    types.add(type.get());
                } else {
                    errors.add(
                            new InvalidParam(
                                    "types",
                                    "unknown event type '"
                                            + abbreviate(name)
                                            + "'; known: "
                                            + EventType.known()));
                }
            }
        }
        return types;
    }

    private static int perPage(List<String> values, List<InvalidParam> errors) {
        if (values.isEmpty()) {
            return DEFAULT_PER_PAGE;
        }
        try {
            int n = Integer.parseInt(values.get(0));
            if (values.size() == 1 && n >= 1 && n <= MAX_PER_PAGE) {
                return n;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        errors.add(
                new InvalidParam("per_page", "must be one whole number from 1 to " + MAX_PER_PAGE));
        return DEFAULT_PER_PAGE;
    }

    private static String single(HttpParameters params, String name, List<InvalidParam> errors) {
        List<String> values = params.getAll(name);
        if (values.size() > 1) {
            errors.add(new InvalidParam(name, "may be given once"));
        }
        return values.isEmpty() ? null : values.get(0);
    }

    private static String abbreviate(String text) {
        return text.length() <= 50 ? text : text.substring(0, 50) + "…";
    }
}
