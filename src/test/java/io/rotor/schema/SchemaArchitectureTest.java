package io.rotor.schema;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The validation layer is plain Java: the inventory, the API and the console call it, it calls none of them. */
class SchemaArchitectureTest {
    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.rotor");

    @Test
    void theSchemaPackageUsesNoCamelAndNoOtherRotorPackage() {
        noClasses().that().resideInAPackage("io.rotor.schema..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.camel..", "io.rotor.api..",
                        "io.rotor.config..", "io.rotor.vault..", "io.rotor.connector..", "io.rotor.workflow..",
                        "io.rotor.cli..")
                .check(classes);
    }

    @Test
    void onlyTheSchemaPackageSeesJackson3() {
        noClasses().that().resideOutsideOfPackage("io.rotor.schema..")
                .should().dependOnClassesThat().resideInAnyPackage("tools.jackson..", "com.networknt..")
                .check(classes);
    }
}
