package captiva.tenancy.apikeys;

import io.micronaut.core.convert.ArgumentConversionContext;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.bind.binders.TypedRequestArgumentBinder;
import jakarta.inject.Singleton;

/** Lets a controller method take the caller's {@link CallingKey} as a plain parameter. */
@Singleton
class CallingKeyBinder implements TypedRequestArgumentBinder<CallingKey> {

    @Override
    public Argument<CallingKey> argumentType() {
        return Argument.of(CallingKey.class);
    }

    @Override
    public BindingResult<CallingKey> bind(
            ArgumentConversionContext<CallingKey> context, HttpRequest<?> request) {
        return () -> request.getAttribute(ApiKeyFilter.KEY_ATTRIBUTE, CallingKey.class);
    }
}
