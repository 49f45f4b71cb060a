package captiva.privacy;

/** How an erasure request names its guest: by internal id, by email (in any case), or by yas_id. */
public sealed interface GuestKey {

    record Id(long id) implements GuestKey {}

    record Email(String email) implements GuestKey {}

    record YasId(String yasId) implements GuestKey {}
}
