package io.rotor;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.rotor.schedule.QuartzSetup;
import io.rotor.workflow.report.JobReportWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layer rules of docs/architecture.md ("Layers"), checked on the production classes. A rule broken by a
 * change fails here with the offending class and dependency named.
 */
class ArchitectureTest {
    private static JavaClasses rotor;

    @BeforeAll
    static void importProductionClasses() {
        rotor = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.rotor");
    }

    @Test
    void domainKnowsNeitherCamelNorJdbc() {
        check(noClasses().that().resideInAPackage("io.rotor.domain..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.camel..", "java.sql..", "javax.sql..",
                        "org.jdbi..", "io.rotor.vault..", "io.rotor.connector..", "io.rotor.workflow..", "io.rotor.api..",
                        "io.rotor.config..", "io.rotor.cli..")
                .because("domain holds records and rules only (docs/architecture.md, Layers)"));
    }

    @Test
    void onlyTheVaultUsesJdbi() {
        check(noClasses().that().resideOutsideOfPackage("io.rotor.vault..")
                .should().dependOnClassesThat().resideInAPackage("org.jdbi..")
                .because("the vault is the only persistence layer (docs/architecture.md, Persistence)"));
    }

    @Test
    void onlyTheVaultRunsSqlExceptTargetDatabasesAndTheReportFile() {
        check(noClasses().that().resideOutsideOfPackages("io.rotor.vault..", "io.rotor.connector.jdbc..")
                .and().doNotBelongToAnyOf(JobReportWriter.class, QuartzSetup.class)
                .should().dependOnClassesThat().resideInAPackage("java.sql..")
                .because("SQL against the vault lives in vault/; connector.jdbc talks to target databases,"
                        + " JobReportWriter writes the SQLite report file and QuartzSetup hands Quartz's own job store"
                        + " its connections (docs/architecture.md, Layers)"));
    }

    @Test
    void vaultDependsOnlyOnDomain() {
        check(noClasses().that().resideInAPackage("io.rotor.vault..")
                .should().dependOnClassesThat().resideInAnyPackage("io.rotor.connector..", "io.rotor.workflow..",
                        "io.rotor.api..", "io.rotor.config..", "io.rotor.cli..", "io.rotor.schedule..",
                        "io.rotor.health..", "io.rotor.schema..", "org.apache.camel..")
                .because("repositories take and return domain records (docs/architecture.md, Layers)"));
    }

    @Test
    void connectorsImportNoCamel() {
        check(noClasses().that().resideInAPackage("io.rotor.connector..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.camel..", "io.rotor.camel..")
                .because("connectors are plain Java behind TargetConnector; the route connector lives in"
                        + " io.rotor.camel.route and reaches Camel through RouteCalls offered in the ConnectorContext"
                        + " (docs/architecture.md, The Camel boundary)"));
    }

    @Test
    void onlyCamelRouteCallsTouchesTheEngineForRouteConnectors() {
        check(noClasses().that().resideInAPackage("io.rotor.camel.route..")
                .and().doNotBelongToAnyOf(io.rotor.camel.route.CamelRouteCalls.class, io.rotor.camel.route.RouteBodies.class,
                        io.rotor.camel.route.RouteHttpHeaders.class)
                .should().dependOnClassesThat().resideInAPackage("org.apache.camel..")
                .because("the route connector applies the protocol's outcome rules in plain Java; only the door"
                        + " (CamelRouteCalls) and the route-side helpers speak Camel (docs/architecture.md, Route connectors)"));
    }

    @Test
    void schemaLayerIsPlainJava() {
        check(noClasses().that().resideInAPackage("io.rotor.schema..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.camel..", "java.sql..", "org.jdbi..",
                        "io.rotor.api..", "io.rotor.config..", "io.rotor.vault..", "io.rotor.connector..",
                        "io.rotor.workflow..", "io.rotor.cli..")
                .because("validation is shared by the inventory, the REST API and the console"));
    }

    @Test
    void onlyTheSchemaLayerSeesTheValidatorAndItsJackson3() {
        check(noClasses().that().resideOutsideOfPackage("io.rotor.schema..")
                .should().dependOnClassesThat().resideInAnyPackage("tools.jackson..", "com.networknt..")
                .because("json-schema-validator runs on Jackson 3; the rest of Rotor (and Camel) stays on Jackson 2"));
    }

    @Test
    void noPackageCycles() {
        check(slices().matching("io.rotor.(*)..").should().beFreeOfCycles());
    }

    private static void check(ArchRule rule) {
        rule.check(rotor);
    }
}
