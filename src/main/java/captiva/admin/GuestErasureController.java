package captiva.admin;

import captiva.admin.AdminViews.ErasedGuest;
import captiva.admin.AdminViews.GuestToErase;
import captiva.common.OpaqueIds;
import captiva.common.problem.ApiProblem;
import captiva.common.problem.Problem.InvalidParam;
import captiva.privacy.GuestErasure;
import captiva.privacy.GuestKey;
import captiva.tenancy.Tenant;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.ArrayList;
import java.util.List;

/**
 * Platform admin: erases one guest for a data-subject request. A POST to an action resource rather
 * than a DELETE, because the guest is named in a body (an email does not belong in a URL, where
 * proxies and access logs keep it) and the answer reports what went.
 */
@Controller("/admin/tenants/{tenant_id}/guests/erase")
@ExecuteOn(TaskExecutors.BLOCKING)
class GuestErasureController {

    private static final int MAX_KEY = 320;

    private final GuestErasure erasure;
    private final AdminChecks checks;
    private final OpaqueIds ids;

    GuestErasureController(GuestErasure erasure, AdminChecks checks, OpaqueIds ids) {
        this.erasure = erasure;
        this.checks = checks;
        this.ids = ids;
    }

    @Post
    ErasedGuest erase(@PathVariable("tenant_id") String tenantId, @Body GuestToErase body) {
        Tenant tenant = checks.tenant(tenantId);
        GuestKey key = key(body);
        return erasure.erase(tenant.id(), key)
                .map(e -> new ErasedGuest(e.guests(), e.logins(), e.sessionsUnlinked()))
                .orElseThrow(() -> new ApiProblem.NotFound("Guest"));
    }

    /**
     * Exactly one of guest_id, email and yas_id; a guest id that cannot be one of ours is simply
     * unknown.
     */
    private GuestKey key(GuestToErase body) {
        List<InvalidParam> errors = new ArrayList<>();
        int given = 0;
        for (String[] field :
                new String[][] {
                    {"guest_id", body.guestId()}, {"email", body.email()}, {"yas_id", body.yasId()}
                }) {
            if (field[1] == null) {
                continue;
            }
            given++;
            if (field[1].isBlank() || field[1].length() > MAX_KEY) {
                errors.add(new InvalidParam(field[0], "must be 1 to " + MAX_KEY + " characters"));
            }
        }
        if (given != 1) {
            errors.add(
                    new InvalidParam(
                            "body",
                            "must name the guest by exactly one of guest_id, email or yas_id"));
        }
        ApiProblem.InvalidParameters.failOn(errors);
        if (body.guestId() != null) {
            return new GuestKey.Id(
                    ids.decode(OpaqueIds.Kind.GUEST, body.guestId())
                            .orElseThrow(() -> new ApiProblem.NotFound("Guest")));
        }
        return body.email() != null
                ? new GuestKey.Email(body.email())
                : new GuestKey.YasId(body.yasId());
    }
}
