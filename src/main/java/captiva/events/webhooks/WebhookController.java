package captiva.events.webhooks;

import captiva.events.webhooks.WebhookViews.AttemptList;
import captiva.events.webhooks.WebhookViews.AttemptView;
import captiva.events.webhooks.WebhookViews.Redelivery;
import captiva.events.webhooks.WebhookViews.WebhookBody;
import captiva.events.webhooks.WebhookViews.WebhookList;
import captiva.events.webhooks.WebhookViews.WebhookView;
import captiva.tenancy.TenantScope;
import captiva.tenancy.apikeys.RequiresScope;
import captiva.tenancy.apikeys.Scope;
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

/** A tenant's own tools manage its webhook endpoints: a key with the scope webhooks:manage. */
@Controller("/webhooks")
@RequiresScope(Scope.WEBHOOKS_MANAGE)
@ExecuteOn(TaskExecutors.BLOCKING)
class WebhookController {

    private final WebhookApi api;

    WebhookController(WebhookApi api) {
        this.api = api;
    }

    @Post
    @Status(HttpStatus.CREATED)
    WebhookView create(TenantScope scope, @Body @Nullable WebhookBody body) {
        return api.create(scope, body);
    }

    @Get
    WebhookList list(TenantScope scope) {
        return api.list(scope);
    }

    @Get("/{webhook_id}")
    WebhookView get(TenantScope scope, @PathVariable("webhook_id") String webhookId) {
        return api.get(scope, webhookId);
    }

    @Patch("/{webhook_id}")
    WebhookView update(
            TenantScope scope,
            @PathVariable("webhook_id") String webhookId,
            @Body @Nullable WebhookBody body) {
        return api.update(scope, webhookId, body);
    }

    @Delete("/{webhook_id}")
    @Status(HttpStatus.NO_CONTENT)
    void delete(TenantScope scope, @PathVariable("webhook_id") String webhookId) {
        api.delete(scope, webhookId);
    }

    @Get("/{webhook_id}/attempts")
    AttemptList attempts(TenantScope scope, @PathVariable("webhook_id") String webhookId) {
        return api.attempts(scope, webhookId);
    }

    @Post("/{webhook_id}/ping")
    AttemptView ping(TenantScope scope, @PathVariable("webhook_id") String webhookId) {
        return api.ping(scope, webhookId);
    }

    @Post("/{webhook_id}/redeliver")
    HttpResponse<?> redeliver(
            TenantScope scope,
            @PathVariable("webhook_id") String webhookId,
            @Body @Nullable Redelivery body) {
        api.redeliver(scope, webhookId, body);
        return HttpResponse.accepted();
    }
}
