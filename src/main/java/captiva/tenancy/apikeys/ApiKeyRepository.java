package captiva.tenancy.apikeys;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.time.Instant;
import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface ApiKeyRepository extends CrudRepository<ApiKey, Long> {

    List<ApiKey> findByTenantIdOrderById(Long tenantId);

    @Query(
            "UPDATE api_key SET revoked_at = :now WHERE id = :id AND tenant_id = :tenantId AND revoked_at IS NULL")
    long revoke(long tenantId, long id, Instant now);

    @Query("UPDATE api_key SET last_used_at = :now WHERE id = :id")
    void markUsed(long id, Instant now);
}
