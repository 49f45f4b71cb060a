package captiva;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Features depend on {@code common} and on each other's front package only: what a feature keeps in
 * its sub-packages ({@code sessions.query}, {@code guests.query}, ...) is its own, so it can be
 * changed or moved without touching another feature. A failure names each offending dependency.
 */
@DisplayName("feature boundaries")
class FeatureBoundariesTest {

    /**
     * The front package of each feature; a sub-package that is not itself listed is that feature's
     * inside.
     */
    private static final List<String> FEATURES =
            List.of(
                    "captiva.admin",
                    "captiva.demo",
                    "captiva.guests",
                    "captiva.ingest.accounting",
                    "captiva.ingest.logins",
                    "captiva.ingest.radius",
                    "captiva.locations",
                    "captiva.privacy",
                    "captiva.ratelimit",
                    "captiva.sessions",
                    "captiva.statistics",
                    "captiva.tenancy",
                    "captiva.tenancy.apikeys");

    private final JavaClasses classes =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importPackages("captiva");

    @Test
    void noFeatureReachesIntoAnotherFeaturesInside() {
        for (String feature : FEATURES) {
            noClasses()
                    .that()
                    .resideOutsideOfPackage(feature + "..")
                    .should()
                    .dependOnClassesThat(insideOf(feature))
                    .because("only " + feature + " itself is another feature's to use")
                    .check(classes);
        }
    }

    /**
     * Ingest is an entry point, like a controller: sessions, tenancy and the rest must not need it.
     * What the RADIUS listener and Disconnect/CoA share (the packet codec) lives in {@code
     * common.radius} for that reason.
     */
    @Test
    void nothingOutsideIngestDependsOnIngest() {
        noClasses()
                .that()
                .resideOutsideOfPackage("captiva.ingest..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("captiva.ingest..")
                .check(classes);
    }

    @Test
    void commonDependsOnNoFeature() {
        noClasses()
                .that()
                .resideInAPackage("captiva.common..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(FEATURES.stream().map(f -> f + "..").toArray(String[]::new))
                .check(classes);
    }

    private static DescribedPredicate<JavaClass> insideOf(String feature) {
        return DescribedPredicate.describe(
                "inside " + feature,
                type -> {
                    String pkg = type.getPackageName();
                    return pkg.startsWith(feature + ".")
                            && FEATURES.stream()
                                    .noneMatch(
                                            other ->
                                                    pkg.equals(other)
                                                            || pkg.startsWith(other + ".")
                                                                    && other.length()
                                                                            > feature.length());
                });
    }
}
