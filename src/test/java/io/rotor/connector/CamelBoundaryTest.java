package io.rotor.connector;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The Camel boundary (see {@link ConnectorFactory}): connectors are plain Java. Nothing under
 * {@code io.rotor.connector} (the contract, the registry, every connector and factory, and the connectors' test
 * helpers) depends on a Camel type.
 */
class CamelBoundaryTest {
    @Test
    void nothingUnderIoRotorConnectorDependsOnCamel() {
        JavaClasses connectorClasses = new ClassFileImporter().importPackages("io.rotor.connector");
        noClasses().that().resideInAPackage("io.rotor.connector..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.camel..")
                .because("connectors are plain Java behind TargetConnector; routes reach them through Rotor's beans")
                .check(connectorClasses);
    }
}
