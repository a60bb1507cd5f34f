package io.rotor;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.rotor.schedule.QuartzSetup;
import io.rotor.workflow.report.JobReportWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * One persistence layer: only {@code io.rotor.vault} speaks SQL to the vault, and it depends on nothing of Rotor
 * but {@code io.rotor.domain}, so the records its repositories take and return live there.
 */
class PersistenceLayeringTest {
    private static JavaClasses rotor;

    @BeforeAll
    static void importClasses() {
        rotor = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.rotor");
    }

    @Test
    void onlyTheVaultUsesJdbcOrJdbi() {
        noClasses().that().resideOutsideOfPackages(
                        "io.rotor.vault..",
                        // these talk to TARGET databases, not to the vault
                        "io.rotor.connector.jdbc..")
                // JobReportWriter writes the SQLite report file; QuartzSetup hands Quartz's own job store its connections
                .and().doNotBelongToAnyOf(JobReportWriter.class, QuartzSetup.class)
                .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "org.jdbi..")
                .check(rotor);
    }

    @Test
    void theVaultDependsOnlyOnTheDomain() {
        classes().that().resideInAPackage("io.rotor.vault..")
                .should().onlyDependOnClassesThat(resideInAnyPackage("io.rotor.vault..", "io.rotor.domain..")
                        .or(resideOutsideOfPackage("io.rotor..")))
                .check(rotor);
    }
}
