package captiva.tenancy.apikeys;

import java.util.Arrays;
import java.util.Optional;

/** What an API key may do. The wire names are part of the admin API. */
public enum Scope {
    SESSIONS_READ("sessions:read"),
    INGEST("ingest");

    private final String wireName;

    Scope(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<Scope> fromWireName(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName.equals(name)).findFirst();
    }
}
