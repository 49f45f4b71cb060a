package captiva.sessions.control;

import captiva.common.problem.ApiProblem;
import captiva.tenancy.TenantScope;
import captiva.tenancy.apikeys.CallingKey;
import captiva.tenancy.apikeys.ControlRateLimit;
import captiva.tenancy.apikeys.RequiresScope;
import captiva.tenancy.apikeys.Scope;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.config.naming.SnakeCaseStrategy;

/**
 * Ending and changing a guest's session on its NAS, for a key with the scope {@code
 * sessions:control} (never implied by {@code sessions:read}). Each answer is the outcome: ack, nak
 * (with its Error-Cause) or timeout; the request is kept in the session's history either way.
 */
@Controller("/sessions/{session_id}")
@RequiresScope(Scope.SESSIONS_CONTROL)
@ExecuteOn(TaskExecutors.BLOCKING)
class SessionControlController {

    /** Session-Timeout is an RFC 2865 32-bit unsigned integer. */
    private static final long MAX_SESSION_TIMEOUT = 0xFFFF_FFFFL;

    /** The body of a CoA: the session's new Session-Timeout, in seconds. */
    @Serdeable(naming = SnakeCaseStrategy.class)
    record CoaBody(@Nullable Long sessionTimeout) {}

    private final SessionControl control;

    SessionControlController(SessionControl control) {
        this.control = control;
    }

    @Post("/disconnect")
    @ControlRateLimit
    SessionControlView disconnect(
            TenantScope scope, CallingKey key, @PathVariable("session_id") String sessionId) {
        return control.disconnect(scope, key, sessionId);
    }

    @Post("/coa")
    @ControlRateLimit
    SessionControlView coa(
            TenantScope scope,
            CallingKey key,
            @PathVariable("session_id") String sessionId,
            @Body @Nullable CoaBody body) {
        if (body == null
                || body.sessionTimeout() == null
                || body.sessionTimeout() < 1
                || body.sessionTimeout() > MAX_SESSION_TIMEOUT) {
            throw ApiProblem.InvalidParameters.of(
                    "session_timeout",
                    "is required: the session's new Session-Timeout in seconds, 1 to "
                            + MAX_SESSION_TIMEOUT);
        }
        return control.changeSessionTimeout(scope, key, sessionId, body.sessionTimeout());
    }

    @Get("/control")
    SessionControlView.History history(
            TenantScope scope, @PathVariable("session_id") String sessionId) {
        return control.history(scope, sessionId);
    }
}
