package captiva.events.webhooks;

import captiva.events.webhooks.WebhookViews.AttemptList;
import captiva.events.webhooks.WebhookViews.AttemptView;
import captiva.events.webhooks.WebhookViews.Redelivery;
import captiva.events.webhooks.WebhookViews.WebhookBody;
import captiva.events.webhooks.WebhookViews.WebhookList;
import captiva.events.webhooks.WebhookViews.WebhookView;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Patch;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/**
 * The platform admin manages any tenant's webhook endpoints (the admin token; see
 * AdminTokenFilter).
 */
@Controller("/admin/tenants/{tenant_id}/webhooks")
@ExecuteOn(TaskExecutors.BLOCKING)
class WebhookAdminController {

    private final WebhookApi api;
    private final AdminTenants tenants;

    WebhookAdminController(WebhookApi api, AdminTenants tenants) {
        this.tenants = tenants;
        this.api = api;
    }

    @Post
    @Status(HttpStatus.CREATED)
    WebhookView create(
            @PathVariable("tenant_id") String tenantId, @Body @Nullable WebhookBody body) {
        return api.create(tenants.scope(tenantId), body);
    }

    @Get
    WebhookList list(@PathVariable("tenant_id") String tenantId) {
        return api.list(tenants.scope(tenantId));
    }

    @Get("/{webhook_id}")
    WebhookView get(
            @PathVariable("tenant_id") String tenantId,
            @PathVariable("webhook_id") String webhookId) {
        return api.get(tenants.scope(tenantId), webhookId);
    }

    @Patch("/{webhook_id}")
    WebhookView update(
            @PathVariable("tenant_id") String tenantId,
            @PathVariable("webhook_id") String webhookId,
            @Body @Nullable WebhookBody body) {
        return api.update(tenants.scope(tenantId), webhookId, body);
    }

    @Delete("/{webhook_id}")
    @Status(HttpStatus.NO_CONTENT)
    void delete(
            @PathVariable("tenant_id") String tenantId,
            @PathVariable("webhook_id") String webhookId) {
        api.delete(tenants.scope(tenantId), webhookId);
    }

    @Get("/{webhook_id}/attempts")
    AttemptList attempts(
            @PathVariable("tenant_id") String tenantId,
            @PathVariable("webhook_id") String webhookId) {
        return api.attempts(tenants.scope(tenantId), webhookId);
    }

    @Post("/{webhook_id}/ping")
    AttemptView ping(
            @PathVariable("tenant_id") String tenantId,
            @PathVariable("webhook_id") String webhookId) {
        return api.ping(tenants.scope(tenantId), webhookId);
    }

    @Post("/{webhook_id}/redeliver")
    HttpResponse<?> redeliver(
            @PathVariable("tenant_id") String tenantId,
            @PathVariable("webhook_id") String webhookId,
            @Body @Nullable Redelivery body) {
        api.redeliver(tenants.scope(tenantId), webhookId, body);
        return HttpResponse.accepted();
    }
}
