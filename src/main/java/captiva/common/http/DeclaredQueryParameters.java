package captiva.common.http;

import captiva.common.problem.ApiProblem;
import captiva.common.problem.Problem.InvalidParam;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.web.router.RouteAttributes;
import io.micronaut.web.router.UriRouteInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Refuses a query parameter that openapi.yml does not declare for the operation. A misspelled
 * filter ({@code onlin=true}) would otherwise be ignored and widen the answer without a word; the
 * 400 names it and lists the parameters the operation takes. openapi.yml, packaged in the jar, is
 * the one list of each operation's parameters, so the spec and the check cannot disagree. Routes
 * the spec does not describe (the console's files, management endpoints) are not checked.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class DeclaredQueryParameters implements Ordered {

    static final String SPEC_RESOURCE = "openapi.yml";

    /** Query parameter names by "METHOD /path/{template}", as Micronaut names its routes. */
    private final Map<String, Set<String>> declared;

    DeclaredQueryParameters() {
        this.declared = readSpec();
    }

    @RequestFilter
    @Nullable
    HttpResponse<?> refuseUndeclared(HttpRequest<?> request) {
        Set<String> known =
                RouteAttributes.getRouteInfo(request)
                        .filter(UriRouteInfo.class::isInstance)
                        .map(
                                route ->
                                        declared.get(
                                                request.getMethodName()
                                                        + " "
                                                        + ((UriRouteInfo<?, ?>) route)
                                                                .getUriMatchTemplate()))
                        .orElse(null);
        if (known == null) {
            return null;
        }
        List<InvalidParam> errors = new ArrayList<>();
        String takes =
                known.isEmpty()
                        ? "this endpoint takes no query parameters"
                        : "this endpoint takes " + String.join(", ", known);
        for (String name : new TreeSet<>(request.getParameters().names())) {
            if (!known.contains(name)) {
                errors.add(
                        new InvalidParam(
                                name,
                                "is not a parameter of this endpoint (misspelled?): " + takes));
            }
        }
        return errors.isEmpty() ? null : new ApiProblem.InvalidParameters(errors).toResponse();
    }

    /**
     * After authentication and rate limiting: a caller without a key learns nothing about
     * parameters.
     */
    @Override
    public int getOrder() {
        return 200;
    }

    static Map<String, Set<String>> readSpec() {
        try (InputStream in =
                DeclaredQueryParameters.class.getClassLoader().getResourceAsStream(SPEC_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        SPEC_RESOURCE + " is not on the class path: the build packages it");
            }
            LoaderOptions options = new LoaderOptions();
            options.setCodePointLimit(16 * 1024 * 1024);
            Map<String, Object> spec = new Yaml(options).load(in);
            return queryParameters(spec);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Set<String>> queryParameters(Map<String, Object> spec) {
        Map<String, Object> components =
                (Map<String, Object>) spec.getOrDefault("components", Map.of());
        Map<String, Object> shared =
                (Map<String, Object>) components.getOrDefault("parameters", Map.of());
        Map<String, Set<String>> byOperation = new HashMap<>();
        ((Map<String, Object>) spec.get("paths"))
                .forEach(
                        (path, item) -> {
                            Map<String, Object> operations = (Map<String, Object>) item;
                            List<Object> common =
                                    (List<Object>) operations.getOrDefault("parameters", List.of());
                            operations.forEach(
                                    (method, operation) -> {
                                        if (method.equals("parameters")
                                                || !(operation instanceof Map<?, ?>)) {
                                            return;
                                        }
                                        SortedSet<String> names = new TreeSet<>();
                                        List<Object> own =
                                                (List<Object>)
                                                        ((Map<String, Object>) operation)
                                                                .getOrDefault(
                                                                        "parameters", List.of());
                                        for (Object parameter : concat(common, own)) {
                                            Map<String, Object> resolved =
                                                    resolve(
                                                            (Map<String, Object>) parameter,
                                                            shared);
                                            if ("query".equals(resolved.get("in"))) {
                                                names.add((String) resolved.get("name"));
                                            }
                                        }
                                        byOperation.put(
                                                method.toUpperCase(Locale.ROOT) + " " + path,
                                                Collections.unmodifiableSortedSet(names));
                                    });
                        });
        return Map.copyOf(byOperation);
    }

    private static List<Object> concat(List<Object> first, List<Object> second) {
        List<Object> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> resolve(
            Map<String, Object> parameter, Map<String, Object> shared) {
        Object ref = parameter.get("$ref");
        if (ref == null) {
            return parameter;
        }
        String prefix = "#/components/parameters/";
        Object target =
                ref.toString().startsWith(prefix)
                        ? shared.get(ref.toString().substring(prefix.length()))
                        : null;
        if (!(target instanceof Map<?, ?>)) {
            throw new IllegalStateException(
                    SPEC_RESOURCE + " refers to a parameter it does not define: " + ref);
        }
        return (Map<String, Object>) target;
    }
}
