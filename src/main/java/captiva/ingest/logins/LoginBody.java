package captiva.ingest.logins;

import captiva.common.problem.ApiProblem;
import captiva.common.problem.Problem.InvalidParam;
import io.micronaut.json.tree.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The body of POST /ingest/logins: one login object, or an array of 1 to {@value #MAX_RECORDS}. The
 * JSON tree is read here rather than bound, so that a field of the wrong type, or a field that is
 * not a login's (a typo that would silently lose data), is named like any other bad value.
 *
 * @param array whether the client sent an array; error names then start with the record's index
 */
record LoginBody(List<LoginRecord> records, boolean array) {

    static final int MAX_RECORDS = 1000;

    private static final Set<String> FIELDS =
            Set.of(
                    "location_id",
                    "username",
                    "guest_device_mac",
                    "guest_device_description",
                    "login_type_name",
                    "service_profile_name",
                    "access_code",
                    "login_time",
                    "guest");
    private static final Set<String> GUEST_FIELDS = Set.of("name", "email", "yas_id");

    /**
     * Reads the body; a body of the wrong shape is refused at once, naming every misshapen field.
     */
    static LoginBody read(JsonNode body) {
        boolean array = body.isArray();
        if (!(body.isObject() || array && body.size() >= 1 && body.size() <= MAX_RECORDS)) {
            throw ApiProblem.InvalidParameters.of(
                    "body",
                    "must be a login object or an array of 1 to " + MAX_RECORDS + " of them");
        }
        LoginBody shape = new LoginBody(List.of(), array);
        List<InvalidParam> errors = new ArrayList<>();
        List<LoginRecord> records = new ArrayList<>();
        if (array) {
            for (int i = 0; i < body.size(); i++) {
                records.add(shape.record(i, body.get(i), errors));
            }
        } else {
            records.add(shape.record(0, body, errors));
        }
        ApiProblem.InvalidParameters.failOn(errors);
        return new LoginBody(records, array);
    }

    /**
     * The JSON pointer of a field of a record, as sent: {@code /2/username}, or {@code /username}
     * for one object.
     */
    String pointer(int index, String field) {
        return (array ? "/" + index : "") + "/" + field;
    }

    private LoginRecord record(int index, JsonNode node, List<InvalidParam> errors) {
        if (!node.isObject()) {
            errors.add(new InvalidParam("/" + index, "must be a login object"));
            return null;
        }
        unknownFields(node, FIELDS, "", index, errors);
        JsonNode guestNode = node.get("guest");
        LoginRecord.Guest guest = null;
        if (guestNode != null && !guestNode.isNull()) {
            if (guestNode.isObject()) {
                unknownFields(guestNode, GUEST_FIELDS, "guest/", index, errors);
                guest =
                        new LoginRecord.Guest(
                                text(guestNode, "name", "guest/", index, errors),
                                text(guestNode, "email", "guest/", index, errors),
                                text(guestNode, "yas_id", "guest/", index, errors));
            } else {
                errors.add(
                        new InvalidParam(
                                pointer(index, "guest"),
                                "must be an object with name, email and yas_id"));
            }
        }
        return new LoginRecord(
                text(node, "location_id", "", index, errors),
                text(node, "username", "", index, errors),
                text(node, "guest_device_mac", "", index, errors),
                text(node, "guest_device_description", "", index, errors),
                text(node, "login_type_name", "", index, errors),
                text(node, "service_profile_name", "", index, errors),
                text(node, "access_code", "", index, errors),
                text(node, "login_time", "", index, errors),
                guest);
    }

    private String text(
            JsonNode object, String field, String prefix, int index, List<InvalidParam> errors) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isString()) {
            errors.add(new InvalidParam(pointer(index, prefix + field), "must be a string"));
            return null;
        }
        return value.getStringValue();
    }

    private void unknownFields(
            JsonNode object,
            Set<String> known,
            String prefix,
            int index,
            List<InvalidParam> errors) {
        for (Map.Entry<String, JsonNode> entry : object.entries()) {
            if (!known.contains(entry.getKey())) {
                // RFC 6901: '~' and '/' inside a name are escaped.
                String escaped = entry.getKey().replace("~", "~0").replace("/", "~1");
                errors.add(
                        new InvalidParam(
                                pointer(index, prefix + escaped), "is not a field of a login"));
            }
        }
    }
}
