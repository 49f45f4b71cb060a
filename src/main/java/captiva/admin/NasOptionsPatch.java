package captiva.admin;

import captiva.common.IpAddresses;
import captiva.common.problem.ApiProblem;
import captiva.common.problem.Problem.InvalidParam;
import captiva.tenancy.NasRegistry;
import captiva.tenancy.NasRegistry.Das;
import captiva.tenancy.NasRegistry.Nas;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.json.tree.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A JSON merge patch (RFC 7396) of a NAS's options: a member left out keeps its value, {@code null}
 * removes it ({@code tls_identity}, the DAS by {@code das_address}, {@code das_port} back to 3799).
 * Where the NAS is and its secret are not options: naming them, or any other member, is an error
 * for that member.
 */
final class NasOptionsPatch {

    static final Set<String> MEMBERS =
            Set.of(
                    "require_message_authenticator",
                    "tls_identity",
                    "das_address",
                    "das_port",
                    "das_secret");

    private NasOptionsPatch() {}

    /** The NAS's options after the patch; a problem naming every bad member otherwise. */
    static NasRegistry.Options apply(@Nullable JsonNode patch, Nas current) {
        List<InvalidParam> errors = new ArrayList<>();
        if (patch == null || !patch.isObject()) {
            throw new ApiProblem.InvalidParameters(
                    List.of(
                            new InvalidParam(
                                    "body",
                                    "must be a JSON object with some of "
                                            + String.join(
                                                    ", ", MEMBERS.stream().sorted().toList()))));
        }
        for (Map.Entry<String, JsonNode> member : patch.entries()) {
            if (!MEMBERS.contains(member.getKey())) {
                errors.add(
                        new InvalidParam(
                                member.getKey(),
                                "cannot be changed here: register the NAS anew to move it"
                                        + " or change its secret; the options are "
                                        + String.join(", ", MEMBERS.stream().sorted().toList())));
            }
        }
        boolean requireMessageAuthenticator = current.requireMessageAuthenticator();
        JsonNode require = patch.get("require_message_authenticator");
        if (require != null) {
            if (require.isBoolean()) {
                requireMessageAuthenticator = require.getBooleanValue();
            } else {
                errors.add(
                        new InvalidParam("require_message_authenticator", "must be true or false"));
            }
        }
        String tlsIdentity = current.tlsIdentity();
        JsonNode tls = patch.get("tls_identity");
        if (tls != null) {
            tlsIdentity = tls.isNull() ? null : tls.isString() ? tls.getStringValue() : "";
            if (tlsIdentity != null && !TenantAdminController.validTlsIdentity(tlsIdentity)) {
                errors.add(TenantAdminController.badTlsIdentity());
            }
        }
        Das das = das(patch, current.das(), errors);
        ApiProblem.InvalidParameters.failOn(errors);
        return new NasRegistry.Options(requireMessageAuthenticator, tlsIdentity, das);
    }

    private static @Nullable Das das(
            JsonNode patch, @Nullable Das current, List<InvalidParam> errors) {
        JsonNode addressNode = patch.get("das_address");
        JsonNode portNode = patch.get("das_port");
        JsonNode secretNode = patch.get("das_secret");
        if (addressNode != null && addressNode.isNull()) {
            if ((portNode != null && !portNode.isNull())
                    || (secretNode != null && !secretNode.isNull())) {
                errors.add(
                        new InvalidParam(
                                "das_address",
                                "is null, which removes the DAS: leave das_port and"
                                        + " das_secret out, or null"));
            }
            return null;
        }
        String address = current == null ? null : current.address();
        if (addressNode != null) {
            address =
                    addressNode.isString()
                            ? IpAddresses.parse(addressNode.getStringValue())
                                    .map(a -> a.getHostAddress())
                                    .orElse(null)
                            : null;
            if (address == null) {
                errors.add(
                        new InvalidParam(
                                "das_address",
                                "must be an IPv4 or IPv6 address, or null to remove the DAS"));
            }
        }
        int port = current == null ? Das.DEFAULT_PORT : current.port();
        if (portNode != null) {
            port =
                    portNode.isNull()
                            ? Das.DEFAULT_PORT
                            : portNode.isNumber() ? portNode.getIntValue() : -1;
            if (port < 1
                    || port > 65535
                    || (portNode.isNumber() && portNode.getNumberValue().doubleValue() != port)) {
                errors.add(
                        new InvalidParam(
                                "das_port", "must be a UDP port, 1 to 65535 (null for 3799)"));
            }
        }
        String secret = current == null ? null : current.secret();
        if (secretNode != null) {
            secret = secretNode.isString() ? secretNode.getStringValue() : null;
            if (secret == null || !TenantAdminController.validSecret(secret)) {
                errors.add(
                        new InvalidParam(
                                "das_secret",
                                "must be 1 to "
                                        + TenantAdminController.MAX_SECRET
                                        + " characters"));
                secret = null;
            }
        }
        if (address == null) {
            if (current == null
                    && addressNode == null
                    && (portNode != null || secretNode != null)) {
                errors.add(
                        new InvalidParam(
                                "das_address",
                                "is required with das_port or das_secret: this NAS has no DAS yet"));
            }
            return null;
        }
        if (secret == null) {
            if (secretNode == null) {
                errors.add(
                        new InvalidParam(
                                "das_secret",
                                "is required with das_address: this NAS has no DAS yet"));
            }
            return null;
        }
        return new Das(address, port, secret);
    }
}
