package captiva.admin;

import captiva.admin.AdminViews.LocationView;
import captiva.admin.AdminViews.NasView;
import captiva.admin.AdminViews.NewLocation;
import captiva.admin.AdminViews.NewNas;
import captiva.admin.AdminViews.NewTenant;
import captiva.admin.AdminViews.TenantView;
import captiva.common.IpAddresses;
import captiva.common.OpaqueIds;
import captiva.common.problem.ApiProblem;
import captiva.common.problem.Problem.InvalidParam;
import captiva.tenancy.Location;
import captiva.tenancy.LocationRepository;
import captiva.tenancy.NasRegistry;
import captiva.tenancy.Tenant;
import captiva.tenancy.TenantRepository;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Patch;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
import io.micronaut.json.tree.JsonNode;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.ArrayList;
import java.util.List;

/** Platform admin: tenants, their locations, and the NAS at each location. */
@Controller("/admin/tenants")
@ExecuteOn(TaskExecutors.BLOCKING)
class TenantAdminController {

    static final int MAX_SECRET = 128;
    private static final int MAX_IDENTIFIER = 253;

    private final TenantRepository tenants;
    private final LocationRepository locations;
    private final NasRegistry nasRegistry;
    private final AdminChecks checks;
    private final OpaqueIds ids;

    TenantAdminController(
            TenantRepository tenants,
            LocationRepository locations,
            NasRegistry nasRegistry,
            AdminChecks checks,
            OpaqueIds ids) {
        this.tenants = tenants;
        this.locations = locations;
        this.nasRegistry = nasRegistry;
        this.checks = checks;
        this.ids = ids;
    }

    @Post
    @Status(HttpStatus.CREATED)
    TenantView create(@Body NewTenant body) {
        List<InvalidParam> errors = new ArrayList<>();
        AdminChecks.name(body.name(), errors);
        AdminChecks.timeZone(body.timeZone(), errors);
        int retention =
                body.retentionMonths() == null
                        ? Tenant.DEFAULT_RETENTION_MONTHS
                        : body.retentionMonths();
        if (retention < 1 || retention > Tenant.MAX_RETENTION_MONTHS) {
            errors.add(
                    new InvalidParam(
                            "retention_months",
                            "must be 1 to " + Tenant.MAX_RETENTION_MONTHS + " when given"));
        }
        ApiProblem.InvalidParameters.failOn(errors);
        boolean endSuperseded =
                body.endSupersededSessions() == null || body.endSupersededSessions();
        return view(
                tenants.save(
                        new Tenant(
                                null,
                                body.name().strip(),
                                body.timeZone(),
                                retention,
                                endSuperseded,
                                null)));
    }

    @Get
    List<TenantView> list() {
        return tenants.listOrderById().stream().map(this::view).toList();
    }

    /**
     * Changes a tenant's settings; today {@code end_superseded_sessions}, which the next RADIUS
     * batch uses. A member left out keeps its value; name, time zone and retention are not changed
     * here.
     */
    @Patch("/{tenant_id}")
    TenantView change(@PathVariable("tenant_id") String tenantId, @Body @Nullable JsonNode body) {
        Tenant tenant = checks.tenant(tenantId);
        List<InvalidParam> errors = new ArrayList<>();
        if (body == null || !body.isObject()) {
            errors.add(
                    new InvalidParam("body", "must be a JSON object with end_superseded_sessions"));
            ApiProblem.InvalidParameters.failOn(errors);
        }
        boolean endSuperseded = tenant.endSupersededSessions();
        for (var member : body.entries()) {
            if (!member.getKey().equals("end_superseded_sessions")) {
                errors.add(
                        new InvalidParam(
                                member.getKey(),
                                "cannot be changed here; end_superseded_sessions can"));
            } else if (member.getValue().isBoolean()) {
                endSuperseded = member.getValue().getBooleanValue();
            } else {
                errors.add(new InvalidParam("end_superseded_sessions", "must be true or false"));
            }
        }
        ApiProblem.InvalidParameters.failOn(errors);
        tenants.update(tenant.id(), endSuperseded);
        return view(checks.tenant(tenantId));
    }

    @Post("/{tenant_id}/locations")
    @Status(HttpStatus.CREATED)
    LocationView createLocation(
            @PathVariable("tenant_id") String tenantId, @Body NewLocation body) {
        Tenant tenant = checks.tenant(tenantId);
        List<InvalidParam> errors = new ArrayList<>();
        AdminChecks.name(body.name(), errors);
        AdminChecks.timeZone(body.timeZone(), errors);
        ApiProblem.InvalidParameters.failOn(errors);
        return view(
                locations.save(
                        new Location(
                                null, tenant.id(), body.name().strip(), body.timeZone(), null)));
    }

    @Get("/{tenant_id}/locations")
    List<LocationView> listLocations(@PathVariable("tenant_id") String tenantId) {
        Tenant tenant = checks.tenant(tenantId);
        return locations.findByTenantIdOrderById(tenant.id()).stream().map(this::view).toList();
    }

    @Post("/{tenant_id}/locations/{location_id}/nas")
    HttpResponse<NasView> registerNas(
            @PathVariable("tenant_id") String tenantId,
            @PathVariable("location_id") String locationId,
            @Body NewNas body) {
        Tenant tenant = checks.tenant(tenantId);
        Location location = checks.location(tenant, locationId);
        List<InvalidParam> errors = new ArrayList<>();
        String address =
                body.ipAddress() == null
                        ? null
                        : IpAddresses.parse(body.ipAddress())
                                .map(a -> a.getHostAddress())
                                .orElse(null);
        if (address == null) {
            errors.add(
                    new InvalidParam(
                            "ip_address", "is required: the NAS's IPv4 or IPv6 source address"));
        }
        if (body.secret() == null || !validSecret(body.secret())) {
            errors.add(
                    new InvalidParam("secret", "is required, 1 to " + MAX_SECRET + " characters"));
        }
        if (body.identifier() != null
                && (body.identifier().isBlank() || body.identifier().length() > MAX_IDENTIFIER)) {
            errors.add(
                    new InvalidParam(
                            "identifier",
                            "must be 1 to " + MAX_IDENTIFIER + " characters when given"));
        }
        if (body.tlsIdentity() != null && !validTlsIdentity(body.tlsIdentity())) {
            errors.add(badTlsIdentity());
        }
        NasRegistry.Das das = das(body, errors);
        ApiProblem.InvalidParameters.failOn(errors);
        var options =
                new NasRegistry.Options(
                        Boolean.TRUE.equals(body.requireMessageAuthenticator()),
                        body.tlsIdentity(),
                        das);
        NasRegistry.Nas nas =
                nasRegistry
                        .register(
                                tenant.id(),
                                location.id(),
                                address,
                                body.identifier(),
                                body.secret(),
                                options)
                        .orElseThrow(
                                () ->
                                        new ApiProblem.Conflict(
                                                (body.identifier() != null
                                                                ? "A NAS with identifier "
                                                                        + body.identifier()
                                                                        + " is already registered"
                                                                : "A NAS with address "
                                                                        + address
                                                                        + " and no identifier is already registered")
                                                        + (body.tlsIdentity() == null
                                                                ? "."
                                                                : ", or one with TLS identity "
                                                                        + body.tlsIdentity()
                                                                        + ".")));
        return HttpResponse.created(view(nas));
    }

    /** The DAS of the body: all of it or none; the port defaults to RFC 5176's 3799. */
    private static NasRegistry.Das das(NewNas body, List<InvalidParam> errors) {
        if (body.dasAddress() == null) {
            if (body.dasPort() != null || body.dasSecret() != null) {
                errors.add(
                        new InvalidParam(
                                "das_address",
                                "is required with das_port or das_secret: the address the NAS takes Disconnect- and CoA-Requests on"));
            }
            return null;
        }
        String address =
                IpAddresses.parse(body.dasAddress()).map(a -> a.getHostAddress()).orElse(null);
        if (address == null) {
            errors.add(
                    new InvalidParam("das_address", "must be an IPv4 or IPv6 address when given"));
        }
        int port = body.dasPort() == null ? NasRegistry.Das.DEFAULT_PORT : body.dasPort();
        if (port < 1 || port > 65535) {
            errors.add(
                    new InvalidParam(
                            "das_port", "must be a UDP port, 1 to 65535 (3799 when left out)"));
        }
        if (body.dasSecret() == null || !validSecret(body.dasSecret())) {
            errors.add(
                    new InvalidParam(
                            "das_secret",
                            "is required with das_address, 1 to " + MAX_SECRET + " characters"));
        }
        return address == null ? null : new NasRegistry.Das(address, port, body.dasSecret());
    }

    static boolean validSecret(String secret) {
        return !secret.isEmpty() && secret.length() <= MAX_SECRET;
    }

    static boolean validTlsIdentity(String name) {
        return !name.isEmpty()
                && name.length() <= MAX_IDENTIFIER
                && name.chars()
                        .noneMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c));
    }

    static InvalidParam badTlsIdentity() {
        return new InvalidParam(
                "tls_identity",
                "must be 1 to "
                        + MAX_IDENTIFIER
                        + " characters without spaces, or null: the subject CN or a SAN DNS name of the NAS's certificate");
    }

    /**
     * Changes a NAS's options (see {@link NasOptionsPatch}); the RADIUS listeners of this instance
     * use them from the next packet, other instances within {@code captiva.radius.nas-cache-ttl}.
     */
    @Patch("/{tenant_id}/locations/{location_id}/nas/{nas_id}")
    NasView changeNas(
            @PathVariable("tenant_id") String tenantId,
            @PathVariable("location_id") String locationId,
            @PathVariable("nas_id") String nasId,
            @Body @Nullable JsonNode body) {
        Tenant tenant = checks.tenant(tenantId);
        Location location = checks.location(tenant, locationId);
        NasRegistry.Nas nas =
                ids.decode(OpaqueIds.Kind.NAS, nasId).stream()
                        .boxed()
                        .findFirst()
                        .flatMap(id -> nasRegistry.find(tenant.id(), id))
                        .filter(n -> n.locationId() == location.id())
                        .orElseThrow(() -> new ApiProblem.NotFound("NAS " + nasId));
        NasRegistry.Options options = NasOptionsPatch.apply(body, nas);
        NasRegistry.Change change = nasRegistry.changeOptions(tenant.id(), nas.id(), options);
        if (change instanceof NasRegistry.Change.Changed changed) {
            return view(changed.nas());
        }
        if (change instanceof NasRegistry.Change.TlsIdentityTaken) {
            throw new ApiProblem.Conflict(
                    "A NAS with TLS identity " + options.tlsIdentity() + " is already registered.");
        }
        throw new ApiProblem.NotFound("NAS " + nasId);
    }

    @Get("/{tenant_id}/locations/{location_id}/nas")
    List<NasView> listNas(
            @PathVariable("tenant_id") String tenantId,
            @PathVariable("location_id") String locationId) {
        Tenant tenant = checks.tenant(tenantId);
        Location location = checks.location(tenant, locationId);
        return nasRegistry.ofLocation(tenant.id(), location.id()).stream().map(this::view).toList();
    }

    private TenantView view(Tenant t) {
        return new TenantView(
                ids.encode(OpaqueIds.Kind.TENANT, t.id()),
                t.name(),
                t.timeZone(),
                t.retentionMonths(),
                t.endSupersededSessions());
    }

    private LocationView view(Location l) {
        return new LocationView(
                ids.encode(OpaqueIds.Kind.LOCATION, l.id()), l.name(), l.timeZone());
    }

    private NasView view(NasRegistry.Nas n) {
        return new NasView(
                ids.encode(OpaqueIds.Kind.NAS, n.id()),
                ids.encode(OpaqueIds.Kind.LOCATION, n.locationId()),
                n.ipAddress(),
                n.identifier(),
                n.requireMessageAuthenticator(),
                n.tlsIdentity(),
                n.das() == null ? null : n.das().address(),
                n.das() == null ? null : n.das().port());
    }
}
