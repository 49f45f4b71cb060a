package captiva.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test class that needs no database, no Micronaut context, no peer process and no network, so
 * that {@code mvn test -Dgroups=fast} gives an answer in well under a minute. {@code mvn verify}
 * runs every test, tagged or not.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(Fast.TAG)
public @interface Fast {

    String TAG = "fast";
}
