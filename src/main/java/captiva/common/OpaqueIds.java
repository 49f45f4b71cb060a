package captiva.common;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.inject.Singleton;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.sqids.Sqids;

/**
 * Turns internal row ids into the opaque public ids of the API (like {@code pR3zOKmvzqe}) and back.
 * The kind of row is encoded with the number, so a location id never decodes as a session id.
 */
@Singleton
public class OpaqueIds {

    /** What a public id names; the ordinal is part of the encoding, so only append. */
    public enum Kind {
        TENANT,
        LOCATION,
        NAS,
        API_KEY,
        GUEST,
        SESSION,
        LOGIN,
        EVENT,
        WEBHOOK
    }

    private static final int LENGTH = 11;
    private static final int FEW_KEPT = 100_000;

    private final Sqids sqids =
            Sqids.builder()
                    .alphabet("fjMB1ogIqDewlC9k4nTdRSs7aF3i5bW0zucXNHrKGOVmphA28v6LZJyPUYtxQE")
                    .minLength(LENGTH)
                    .build();

    /**
     * Public ids of the kinds a tenant has few of (venues, above all, named on every listed
     * session), kept once encoded: Sqids cost about 1.5 µs and 1 KB of garbage an id
     * (async-profiler, BENCHMARKS.md). Bounded, the least used leaving first, so a walk over many
     * ids does not evict the busy venues.
     */
    private static final Set<Kind> FEW =
            EnumSet.of(Kind.TENANT, Kind.LOCATION, Kind.NAS, Kind.API_KEY);

    private final Cache<Long, String> fewKept = Caffeine.newBuilder().maximumSize(FEW_KEPT).build();

    public String encode(Kind kind, long id) {
        if (!FEW.contains(kind) || id < 0 || id >= 1L << 56) {
            return sqids.encode(List.of((long) kind.ordinal(), id));
        }
        long key = (long) kind.ordinal() << 56 | id;
        return fewKept.get(key, k -> sqids.encode(List.of((long) kind.ordinal(), id)));
    }

    /**
     * Returns the row id, or empty when the text is not an id of that kind. Sqids decodes some
     * strings that it would never produce, so only the canonical spelling is accepted.
     */
    public OptionalLong decode(Kind kind, String publicId) {
        List<Long> numbers = numbersOf(publicId, 32);
        if (numbers.size() != 2
                || numbers.get(0) != kind.ordinal()
                || !encode(kind, numbers.get(1)).equals(publicId)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(numbers.get(1));
    }

    /**
     * An id that is only unique within another row, such as an event's position within its tenant:
     * both numbers are encoded, so the id of one tenant's event never decodes for another tenant.
     */
    public String encode(Kind kind, long ownerId, long id) {
        return sqids.encode(List.of((long) kind.ordinal(), ownerId, id));
    }

    /** The id within {@code ownerId}, or empty when the text is not such an id of that owner. */
    public OptionalLong decode(Kind kind, long ownerId, String publicId) {
        List<Long> numbers = numbersOf(publicId, 40);
        if (numbers.size() != 3
                || numbers.get(0) != kind.ordinal()
                || numbers.get(1) != ownerId
                || !encode(kind, ownerId, numbers.get(2)).equals(publicId)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(numbers.get(2));
    }

    /**
     * The numbers a text of plausible length decodes to, or none when it is not Sqids text at all.
     */
    private List<Long> numbersOf(String publicId, int maxLength) {
        if (publicId == null || publicId.length() < LENGTH || publicId.length() > maxLength) {
            return List.of();
        }
        try {
            return sqids.decode(publicId);
        } catch (RuntimeException notAnId) {
            return List.of();
        }
    }

    /**
     * Whether the text has the shape of a public id at all (a malformed id is a 400, an unknown one
     * a 404).
     */
    public boolean looksLikeId(String publicId) {
        return publicId != null
                && publicId.length() >= LENGTH
                && publicId.length() <= 32
                && publicId.chars().allMatch(c -> c < 128 && Character.isLetterOrDigit(c));
    }
}
