package captiva.admin;

import captiva.tenancy.apikeys.AuthenticationFailures;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;

/** Every /admin endpoint needs {@code Authorization: Bearer <admin token>}. */
@ServerFilter("/admin/**")
class AdminTokenFilter implements Ordered {

    private final AdminToken adminToken;
    private final AuthenticationFailures failures;

    AdminTokenFilter(AdminToken adminToken, AuthenticationFailures failures) {
        this.adminToken = adminToken;
        this.failures = failures;
    }

    @RequestFilter
    @Nullable
    HttpResponse<?> authenticate(HttpRequest<?> request) {
        HttpResponse<?> limited = failures.refuseWhileLimited(request);
        if (limited != null) {
            return limited;
        }
        if (AuthenticationFailures.bearerToken(request).map(adminToken::matches).orElse(false)) {
            return null;
        }
        return failures.reject(request, "The admin token is missing or wrong.");
    }

    @Override
    public int getOrder() {
        return 100;
    }
}
