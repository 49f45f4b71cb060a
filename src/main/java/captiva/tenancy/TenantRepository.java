package captiva.tenancy;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface TenantRepository extends CrudRepository<Tenant, Long> {

    List<Tenant> listOrderById();

    /**
     * Whether a Start ends the device's older open sessions at the NAS; read by every batch, so it
     * applies at once.
     */
    void update(@Id long id, boolean endSupersededSessions);
}
