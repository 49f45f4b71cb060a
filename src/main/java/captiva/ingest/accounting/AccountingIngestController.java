package captiva.ingest.accounting;

import captiva.common.problem.ApiProblem;
import captiva.tenancy.TenantScope;
import captiva.tenancy.apikeys.RequiresScope;
import captiva.tenancy.apikeys.Scope;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.config.naming.SnakeCaseStrategy;
import java.util.List;

/** POST /ingest/accounting: RADIUS accounting as JSON, for controllers that cannot send RADIUS. */
@Controller("/ingest/accounting")
@RequiresScope(Scope.INGEST)
@ExecuteOn(TaskExecutors.BLOCKING)
class AccountingIngestController {

    static final int MAX_RECORDS = 1000;

    /**
     * @param stored how many records were applied; all of them, since a batch is all or nothing
     */
    @Serdeable(naming = SnakeCaseStrategy.class)
    record Stored(int stored) {}

    private final AccountingIngest ingest;

    AccountingIngestController(AccountingIngest ingest) {
        this.ingest = ingest;
    }

    @Post
    Stored store(TenantScope scope, @Body List<AccountingRecord> records) {
        if (records.isEmpty() || records.size() > MAX_RECORDS) {
            throw ApiProblem.InvalidParameters.of(
                    "body", "must be an array of 1 to " + MAX_RECORDS + " accounting records");
        }
        return new Stored(ingest.store(scope, records));
    }
}
