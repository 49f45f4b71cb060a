package captiva.tenancy.apikeys;

import captiva.tenancy.TenantScope;
import io.micronaut.core.convert.ArgumentConversionContext;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.bind.binders.TypedRequestArgumentBinder;
import jakarta.inject.Singleton;

/** Lets a controller method take the caller's {@link TenantScope} as a plain parameter. */
@Singleton
class TenantScopeBinder implements TypedRequestArgumentBinder<TenantScope> {

    @Override
    public Argument<TenantScope> argumentType() {
        return Argument.of(TenantScope.class);
    }

    @Override
    public BindingResult<TenantScope> bind(
            ArgumentConversionContext<TenantScope> context, HttpRequest<?> request) {
        return () -> request.getAttribute(ApiKeyFilter.SCOPE_ATTRIBUTE, TenantScope.class);
    }
}
