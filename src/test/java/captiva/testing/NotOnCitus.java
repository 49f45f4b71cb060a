package captiva.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class whose claim holds on a single PostgreSQL only, skipped when the test database is a
 * Citus coordinator ({@code CAPTIVA_TEST_DATABASE_URL} pointing at one). The plan tests are: they
 * assert the plan one PostgreSQL makes over its own tables, while on Citus the coordinator plans a
 * Custom Scan over shards on other nodes. {@code -DexcludedGroups=not-on-citus} leaves them out by
 * tag as well.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Tag(NotOnCitus.TAG)
@ExtendWith(NotOnCitus.Condition.class)
public @interface NotOnCitus {

    String TAG = "not-on-citus";

    /** Disables the class when the test database has the {@code citus} extension. */
    final class Condition implements ExecutionCondition {

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return TestDatabase.isCitus()
                    ? ConditionEvaluationResult.disabled(
                            "single-node claim (such as a query plan); the test database is Citus")
                    : ConditionEvaluationResult.enabled("the test database is a single PostgreSQL");
        }
    }
}
