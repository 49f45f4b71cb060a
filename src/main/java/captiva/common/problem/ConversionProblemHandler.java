package captiva.common.problem;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.core.convert.exceptions.ConversionErrorException;
import io.micronaut.core.naming.NameUtils;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ConversionErrorHandler;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.serde.exceptions.InvalidPropertyFormatException;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A value Micronaut could not bind (a body field of the wrong type, a path segment outside an
 * enumeration) answered in the API's words: a 400 naming each field or parameter in {@code errors}
 * and saying what it must be. The framework's own message names Java types and classes, so it is
 * never passed on.
 */
@Singleton
@Replaces(ConversionErrorHandler.class)
@Produces(Problem.MEDIA_TYPE)
class ConversionProblemHandler
        implements ExceptionHandler<ConversionErrorException, HttpResponse<Problem>> {

    /**
     * micronaut-serde's message for a field it could not read: "Error decoding property [Long
     * acctInputOctets] ...".
     */
    private static final Pattern PROPERTY =
            Pattern.compile("Error decoding property \\[(\\S+) (\\w+)]");

    @Override
    public HttpResponse<Problem> handle(HttpRequest request, ConversionErrorException failure) {
        return new ApiProblem.InvalidParameters(errors(failure)).toResponse();
    }

    static List<Problem.InvalidParam> errors(ConversionErrorException failure) {
        Argument<?> argument = failure.getArgument();
        if (argument.getType().isEnum()) {
            String allowed =
                    Arrays.stream(argument.getType().getEnumConstants())
                            .map(c -> ((Enum<?>) c).name().toLowerCase(Locale.ROOT))
                            .collect(Collectors.joining(", "));
            return List.of(
                    new Problem.InvalidParam(
                            NameUtils.hyphenate(argument.getName(), false).replace('-', '_'),
                            "must be one of " + allowed));
        }
        Set<String> fields = new LinkedHashSet<>();
        List<Problem.InvalidParam> errors = new ArrayList<>();
        for (Throwable cause = failure.getConversionError().getCause();
                cause != null;
                cause = cause.getCause()) {
            if (cause instanceof InvalidPropertyFormatException field
                    && fields.add(field.getArgument().getName())) {
                errors.add(
                        new Problem.InvalidParam(
                                snakeCase(field.getArgument().getName()),
                                mustBe(field.getArgument().getType().getSimpleName())));
                continue;
            }
            Matcher property = PROPERTY.matcher(String.valueOf(cause.getMessage()));
            if (property.find() && fields.add(property.group(2))) {
                errors.add(
                        new Problem.InvalidParam(
                                snakeCase(property.group(2)), mustBe(property.group(1))));
            }
        }
        if (errors.isEmpty()) {
            boolean body = argument.getAnnotationMetadata().hasAnnotation(Body.class);
            errors.add(
                    new Problem.InvalidParam(
                            body ? "body" : snakeCase(argument.getName()),
                            body ? "is not JSON of the expected shape" : "is not a valid value"));
        }
        return errors;
    }

    private static String mustBe(String javaType) {
        return switch (javaType) {
            case "Long", "long", "Integer", "int", "Short", "short" -> "must be a whole number";
            case "Boolean", "boolean" -> "must be true or false";
            case "String" -> "must be a string";
            case "Double", "double", "Float", "float", "BigDecimal" -> "must be a number";
            default ->
                    javaType.startsWith("List") || javaType.startsWith("Set")
                            ? "must be an array"
                            : "has the wrong type";
        };
    }

    private static String snakeCase(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
