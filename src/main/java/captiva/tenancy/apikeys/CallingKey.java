package captiva.tenancy.apikeys;

/**
 * The API key a request was made with, for what must be audited by key (who ended whose session). A
 * controller of a {@link RequiresScope} endpoint takes it as a plain parameter, like the {@code
 * TenantScope}.
 */
public record CallingKey(long id) {}
