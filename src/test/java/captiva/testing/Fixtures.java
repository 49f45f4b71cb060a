package captiva.testing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds test data through the admin API, the way an operator would: tenants, locations, keys and
 * imported sessions. Every call makes new rows, so tests stay independent on the shared database.
 */
public final class Fixtures {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final Http http;

    public Fixtures(Http http) {
        this.http = http;
    }

    public record Tenant(String id, String timeZone) {}

    public record Location(String id, Tenant tenant, String timeZone) {}

    /** A read key; {@link #auth()} gives the header pair for {@link Http}. */
    public record Key(String id, String key, Tenant tenant) {
        public String[] auth() {
            return new String[] {"Authorization", "Bearer " + key};
        }
    }

    public static String[] admin() {
        return new String[] {"Authorization", "Bearer " + ApiTest.ADMIN_TOKEN};
    }

    public Tenant tenant() {
        return tenant("Europe/London");
    }

    public Tenant tenant(String timeZone) {
        return tenant(timeZone, Map.of());
    }

    /**
     * A tenant with settings of its own besides its name and zone, e.g. end_superseded_sessions.
     */
    public Tenant tenant(String timeZone, Map<String, Object> settings) {
        Map<String, Object> body = new LinkedHashMap<>(settings);
        body.put("name", "Tenant " + SEQUENCE.incrementAndGet());
        body.put("time_zone", timeZone);
        Http.Response r = created(http.post("/admin/tenants", body, admin()));
        return new Tenant(r.json().get("id").asText(), timeZone);
    }

    public Location location(Tenant tenant) {
        return location(tenant, tenant.timeZone());
    }

    public Location location(Tenant tenant, String timeZone) {
        Http.Response r =
                created(
                        http.post(
                                "/admin/tenants/" + tenant.id() + "/locations",
                                Map.of(
                                        "name",
                                        "Venue " + SEQUENCE.incrementAndGet(),
                                        "time_zone",
                                        timeZone),
                                admin()));
        return new Location(r.json().get("id").asText(), tenant, timeZone);
    }

    /** Registers a NAS at the location and returns its public id. */
    public String nas(Location location, String ipAddress, String identifier, String secret) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ip_address", ipAddress);
        body.put("secret", secret);
        if (identifier != null) {
            body.put("identifier", identifier);
        }
        return created(
                        http.post(
                                "/admin/tenants/"
                                        + location.tenant().id()
                                        + "/locations/"
                                        + location.id()
                                        + "/nas",
                                body,
                                admin()))
                .json()
                .get("id")
                .asText();
    }

    /** A sessions:read key with a rate limit high enough that only rate-limit tests meet it. */
    public Key readKey(Tenant tenant) {
        return key(tenant, List.of("sessions:read"), null, 100_000);
    }

    public Key readKey(Tenant tenant, Location... only) {
        return key(
                tenant,
                List.of("sessions:read"),
                Arrays.stream(only).map(Location::id).toList(),
                100_000);
    }

    public Key key(
            Tenant tenant, List<String> scopes, List<String> locationIds, Integer perMinute) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "key " + SEQUENCE.incrementAndGet());
        body.put("scopes", scopes);
        if (locationIds != null) {
            body.put("location_ids", locationIds);
        }
        if (perMinute != null) {
            body.put("rate_limit_per_minute", perMinute);
        }
        Http.Response r =
                created(http.post("/admin/tenants/" + tenant.id() + "/api-keys", body, admin()));
        return new Key(r.json().get("id").asText(), r.json().get("key").asText(), tenant);
    }

    public static SessionSpec session(Location at) {
        return new SessionSpec(at);
    }

    /** Imports the sessions and returns their public ids, in order. */
    public List<String> sessions(SessionSpec... sessions) {
        Tenant tenant = sessions[0].location.tenant();
        List<Map<String, Object>> body = Arrays.stream(sessions).map(SessionSpec::toJson).toList();
        Http.Response r =
                created(http.post("/admin/tenants/" + tenant.id() + "/sessions", body, admin()));
        List<String> ids = new ArrayList<>();
        r.json().get("ids").forEach(id -> ids.add(id.asText()));
        return ids;
    }

    public String session(SessionSpec session) {
        return sessions(session).get(0);
    }

    private static Http.Response created(Http.Response r) {
        if (r.status() != 201) {
            throw new AssertionError("fixture not created: " + r.status() + " " + r.body());
        }
        return r;
    }

    /**
     * A session record for the import endpoint; closed one hour after an hour ago unless told
     * otherwise.
     */
    public static final class SessionSpec {
        private final Location location;
        private final Map<String, Object> fields = new LinkedHashMap<>();

        SessionSpec(Location location) {
            this.location = location;
            fields.put("location_id", location.id());
            Instant start = Instant.now().minusSeconds(7200);
            fields.put("start_time", start.toString());
            fields.put("end_time", start.plusSeconds(3600).toString());
        }

        public SessionSpec started(String isoTime) {
            fields.put("start_time", isoTime);
            return this;
        }

        public SessionSpec started(Instant time) {
            return started(time.toString());
        }

        public SessionSpec ended(String isoTime) {
            fields.put("end_time", isoTime);
            return this;
        }

        public SessionSpec ended(Instant time) {
            return ended(time.toString());
        }

        public SessionSpec online() {
            fields.put("end_time", null);
            return this;
        }

        public SessionSpec mac(String mac) {
            fields.put("guest_device_mac", mac);
            return this;
        }

        public SessionSpec ip(String ip) {
            fields.put("guest_device_ip", ip);
            return this;
        }

        public SessionSpec username(String username) {
            fields.put("username", username);
            return this;
        }

        public SessionSpec bytes(long downloaded, long uploaded) {
            fields.put("downloaded_bytes", downloaded);
            fields.put("uploaded_bytes", uploaded);
            return this;
        }

        public SessionSpec guest(String name, String email, String yasId) {
            Map<String, Object> guest = new LinkedHashMap<>();
            guest.put("name", name);
            guest.put("email", email);
            guest.put("yas_id", yasId);
            fields.put("guest", guest);
            return this;
        }

        public SessionSpec field(String name, Object value) {
            fields.put(name, value);
            return this;
        }

        Map<String, Object> toJson() {
            return fields;
        }
    }
}
