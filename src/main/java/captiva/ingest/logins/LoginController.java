package captiva.ingest.logins;

import captiva.tenancy.TenantScope;
import captiva.tenancy.apikeys.RequiresScope;
import captiva.tenancy.apikeys.Scope;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
import io.micronaut.json.tree.JsonNode;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/** POST /ingest/logins: the captive portal tells who the guest behind a username or device is. */
@Controller("/ingest/logins")
@RequiresScope(Scope.INGEST)
@ExecuteOn(TaskExecutors.BLOCKING)
class LoginController {

    private final LoginIngest ingest;

    LoginController(LoginIngest ingest) {
        this.ingest = ingest;
    }

    @Post
    @Status(HttpStatus.CREATED)
    LoginResults create(TenantScope scope, @Body JsonNode body) {
        return ingest.record(scope, LoginBody.read(body));
    }
}
