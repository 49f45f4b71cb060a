package captiva.tenancy.apikeys;

import java.util.Arrays;
import java.util.Optional;

/** What an API key may do. The wire names are part of the admin API. */
public enum Scope {
    SESSIONS_READ("sessions:read"),
    INGEST("ingest"),
    WEBHOOKS_MANAGE("webhooks:manage"),
    /**
     * Ends or changes guests' sessions on their NAS (Disconnect/CoA): never implied by reading
     * them.
     */
    SESSIONS_CONTROL("sessions:control");

    private final String wireName;

    Scope(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The wire names, comma-separated, for error messages. */
    public static String known() {
        return String.join(", ", Arrays.stream(values()).map(Scope::wireName).toList());
    }

    public static Optional<Scope> fromWireName(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName.equals(name)).findFirst();
    }
}
