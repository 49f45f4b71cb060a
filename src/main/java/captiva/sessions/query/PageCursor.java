package captiva.sessions.query;

import captiva.sessions.SessionFilter;
import captiva.tenancy.TenantScope;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Where a keyset walk of GET /sessions stands: the sort key (start_time, id) of the last session
 * listed, and how many sessions the walk has listed so far (for meta.from and meta.to).
 *
 * <p>On the wire it is opaque: the position plus a check digest over the position and the listing
 * it belongs to (tenant, the key's locations, every filter, the order). A cursor altered in any
 * byte, or given back with another tenant's key, a key with other locations, other filters or the
 * other order, fails the check and is refused. The digest needs no secret because a cursor grants
 * nothing: every page is still read within the caller's scope and filters, so even a cursor forged
 * with a valid digest can only start the walk at another point of what the caller may see anyway.
 */
record PageCursor(long listed, Instant startTime, long id) {

    private static final byte VERSION = 1;
    private static final int POSITION_BYTES = 1 + 3 * Long.BYTES;
    private static final int CHECK_BYTES = 16;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    /**
     * Bounds that only a forged cursor can pass, refused so that they never reach SQL or the meta
     * numbers.
     */
    private static final long MAX_LISTED = 1L << 53;

    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    /** The listing a cursor belongs to, as a digest: what the cursor's check is bound to. */
    record Listing(byte[] digest) {

        static Listing of(TenantScope scope, SessionFilter filter, boolean newestFirst) {
            MessageDigest sha = sha256();
            for (Object part :
                    new Object[] {
                        scope.tenantId(),
                        scope.locationIds() == null ? null : new TreeSet<>(scope.locationIds()),
                        filter.guestId(),
                        filter.locationId(),
                        filter.guestDeviceMac(),
                        filter.startTime(),
                        filter.endTime(),
                        filter.yasId(),
                        filter.online(),
                        filter.matchesNothing(),
                        newestFirst
                    }) {
                // Length-prefixed, so that no two different listings hash the same bytes.
                byte[] bytes =
                        part == null
                                ? new byte[0]
                                : part.toString().getBytes(StandardCharsets.UTF_8);
                sha.update(
                        ByteBuffer.allocate(Integer.BYTES)
                                .putInt(part == null ? -1 : bytes.length)
                                .array());
                sha.update(bytes);
            }
            return new Listing(sha.digest());
        }
    }

    /**
     * The position after {@code row}, the last of a page that brought the walk to {@code listed}
     * sessions.
     */
    static PageCursor after(SessionRow row, long listed) {
        return new PageCursor(listed, row.startTime(), row.id());
    }

    String encode(Listing listing) {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, startTime);
        ByteBuffer position =
                ByteBuffer.allocate(POSITION_BYTES)
                        .put(VERSION)
                        .putLong(listed)
                        .putLong(micros)
                        .putLong(id);
        byte[] bytes = Arrays.copyOf(position.array(), POSITION_BYTES + CHECK_BYTES);
        System.arraycopy(check(listing, position.array()), 0, bytes, POSITION_BYTES, CHECK_BYTES);
        return ENCODER.encodeToString(bytes);
    }

    /**
     * The position in {@code text}, or empty when it is not a cursor of this listing as Captiva
     * made it.
     */
    static Optional<PageCursor> decode(String text, Listing listing) {
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
        if (bytes.length != POSITION_BYTES + CHECK_BYTES || bytes[0] != VERSION) {
            return Optional.empty();
        }
        byte[] position = Arrays.copyOf(bytes, POSITION_BYTES);
        byte[] check = Arrays.copyOfRange(bytes, POSITION_BYTES, bytes.length);
        if (!MessageDigest.isEqual(check, check(listing, position))
                // Base64 has several spellings of the same bytes: only Captiva's own is a cursor.
                || !ENCODER.encodeToString(bytes).equals(text)) {
            return Optional.empty();
        }
        ByteBuffer read = ByteBuffer.wrap(position, 1, POSITION_BYTES - 1);
        long listed = read.getLong();
        Instant startTime = Instant.EPOCH.plus(read.getLong(), ChronoUnit.MICROS);
        if (listed < 0
                || listed > MAX_LISTED
                || startTime.isBefore(EARLIEST)
                || startTime.isAfter(LATEST)) {
            return Optional.empty();
        }
        return Optional.of(new PageCursor(listed, startTime, read.getLong()));
    }

    private static byte[] check(Listing listing, byte[] position) {
        MessageDigest sha = sha256();
        sha.update(listing.digest());
        sha.update(position);
        return Arrays.copyOf(sha.digest(), CHECK_BYTES);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException everyJavaHasIt) {
            throw new IllegalStateException(everyJavaHasIt);
        }
    }
}
