package captiva.tenancy;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.util.List;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface LocationRepository extends CrudRepository<Location, Long> {

    Optional<Location> findByIdAndTenantId(Long id, Long tenantId);

    List<Location> findByTenantIdOrderById(Long tenantId);
}
