package captiva.events;

import java.util.Arrays;
import java.util.Optional;

/** What an event says happened; the wire names are part of the API and of webhook subscriptions. */
public enum EventType {
    SESSION_STARTED("session.started"),
    SESSION_ENDED("session.ended"),
    LOGIN_CREATED("login.created"),
    GUEST_ERASED("guest.erased");

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<EventType> fromWireName(String name) {
        return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
    }

    /** The wire names, comma-separated, for error messages. */
    public static String known() {
        return String.join(", ", Arrays.stream(values()).map(EventType::wireName).toList());
    }
}
