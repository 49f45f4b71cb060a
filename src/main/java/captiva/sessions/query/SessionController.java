package captiva.sessions.query;

import captiva.common.IpAddresses;
import captiva.common.OpaqueIds;
import captiva.common.Timestamps;
import captiva.common.paging.Count;
import captiva.common.paging.PageLinks;
import captiva.common.paging.PageRequest;
import captiva.common.problem.ApiProblem;
import captiva.common.problem.Problem.InvalidParam;
import captiva.common.query.QueryParams;
import captiva.sessions.SessionFilter;
import captiva.tenancy.TenantScope;
import captiva.tenancy.apikeys.RequiresScope;
import captiva.tenancy.apikeys.Scope;
import io.micronaut.http.HttpParameters;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The public read API: GET /sessions, /sessions/count and /sessions/{ip_address}. */
@Controller("/sessions")
@RequiresScope(Scope.SESSIONS_READ)
@ExecuteOn(TaskExecutors.BLOCKING)
class SessionController {

    static final int MAX_ADDRESSES = 100;

    private final SessionSearch search;
    private final OnlineCounts counts;
    private final IpHolderLookup ipHolders;
    private final OpaqueIds ids;

    SessionController(
            SessionSearch search, OnlineCounts counts, IpHolderLookup ipHolders, OpaqueIds ids) {
        this.search = search;
        this.counts = counts;
        this.ipHolders = ipHolders;
        this.ids = ids;
    }

    @Get
    SessionPage list(TenantScope scope, HttpRequest<?> request) {
        List<InvalidParam> errors = new ArrayList<>();
        SessionFilter filter = SessionFilter.parse(request.getParameters(), ids, errors);
        PageRequest page = PageRequest.parse(request.getParameters(), errors);
        String cursor = QueryParams.single(request.getParameters(), "cursor", errors);
        if (cursor != null && request.getParameters().contains("page")) {
            errors.add(
                    new InvalidParam(
                            "page",
                            "cannot be combined with cursor: a cursor already says where the page starts"));
        }
        ApiProblem.InvalidParameters.failOn(errors);
        if (cursor == null) {
            return search.page(
                    scope, filter, page, PageLinks.of(request, SessionFilter.REPEATED_IN_LINKS));
        }
        PageCursor.Listing listing = PageCursor.Listing.of(scope, filter, page.lastSessionFirst());
        PageCursor after = null;
        if (!cursor.isEmpty()) {
            after =
                    PageCursor.decode(cursor, listing)
                            .orElseThrow(
                                    () ->
                                            ApiProblem.InvalidParameters.of(
                                                    "cursor",
                                                    "is not a cursor of this listing: use links.next as given, with the same key, filters and order, or start again with cursor="));
        }
        return search.pageAfter(
                scope,
                filter,
                page,
                after,
                listing,
                PageLinks.of(request, SessionFilter.REPEATED_IN_LINKS));
    }

    @Get("/count")
    Count count(TenantScope scope, HttpRequest<?> request) {
        List<InvalidParam> errors = new ArrayList<>();
        SessionFilter filter = SessionFilter.parse(request.getParameters(), ids, errors);
        PageRequest.parse(
                request.getParameters(), errors); // accepted, as in the reference, and checked
        ApiProblem.InvalidParameters.failOn(errors);
        return counts.count(scope, filter);
    }

    /**
     * One address answers an object (404 when nobody held it); several answer an array of those
     * found.
     */
    @Get("/{ip_address}")
    Object holders(
            TenantScope scope,
            @PathVariable("ip_address") String ipAddress,
            HttpRequest<?> request) {
        List<InvalidParam> errors = new ArrayList<>();
        List<String> texts = List.of(ipAddress.split(",", -1));
        List<InetAddress> addresses = new ArrayList<>();
        if (texts.size() > MAX_ADDRESSES) {
            errors.add(
                    new InvalidParam(
                            "ip_address",
                            "at most " + MAX_ADDRESSES + " addresses, separated by commas"));
        } else {
            for (String text : texts) {
                Optional<InetAddress> address = IpAddresses.parse(text.strip());
                address.ifPresentOrElse(
                        addresses::add,
                        () ->
                                errors.add(
                                        new InvalidParam(
                                                "ip_address",
                                                "'"
                                                        + abbreviate(text)
                                                        + "' is not an IPv4 or IPv6 address")));
            }
        }
        HttpParameters params = request.getParameters();
        QueryParams.IdParam location =
                QueryParams.id("location_id", OpaqueIds.Kind.LOCATION, params, ids, errors);
        Instant at = null;
        String atText = QueryParams.single(params, "at", errors);
        if (atText != null) {
            at = Timestamps.parse(atText).orElse(null);
            if (at == null) {
                errors.add(new InvalidParam("at", "must be " + Timestamps.EXPECTED));
            }
        }
        ApiProblem.InvalidParameters.failOn(errors);
        List<String> asked = texts.stream().map(String::strip).toList();
        List<IpHolder> found =
                location.unknown()
                        ? List.of()
                        : ipHolders.resolve(scope, asked, addresses, location.id(), at);
        if (asked.size() == 1) {
            if (found.isEmpty()) {
                throw new ApiProblem.NotFound("A session with IP address " + asked.get(0));
            }
            return found.get(0);
        }
        return found;
    }

    private static String abbreviate(String text) {
        return text.length() <= 50 ? text : text.substring(0, 50) + "…";
    }
}
