package io.rotor;

import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's routes folder loads YAML and Java DSL route files alike, without a rebuild: a Java route builder
 * dropped into {@code ./routes} is compiled at start-up and can hand over to a YAML route, and back.
 */
class RoutesFolderTest extends CamelMainTestSupport {
    private Path routes;

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        try {
            routes = Files.createTempDirectory("rotor-routes-");
            Files.writeString(routes.resolve("yaml-step.camel.yaml"), """
                    - route:
                        id: yaml-step
                        from:
                          uri: direct:yaml-step
                          steps:
                            - setBody:
                                simple: "yaml saw ${body}"
                    """);
            Files.writeString(routes.resolve("JavaStep.java"), """
                    import org.apache.camel.builder.RouteBuilder;

                    public class JavaStep extends RouteBuilder {
                        @Override
                        public void configure() {
                            from("direct:java-step").routeId("java-step")
                                    .setBody(simple("java saw ${body}"))
                                    .to("direct:yaml-step");
                        }
                    }
                    """);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        configuration.withRoutesIncludePattern(Engine.routesPattern(routes));
    }

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties overrides = new Properties();
        overrides.setProperty("camel.server.enabled", "false");
        return overrides;
    }

    @AfterEach
    void deleteRoutes() {
        io.rotor.it.TestDirs.delete(routes);
    }

    @Test
    void aJavaRouteFileAndAYamlRouteFileLoadSideBySide() {
        assertThat(context.getRoute("java-step")).isNotNull();
        assertThat(context.getRoute("yaml-step")).isNotNull();
        assertThat(template.requestBody("direct:java-step", "x", String.class)).isEqualTo("yaml saw java saw x");
    }

    @Test
    void withoutARoutesFolderTheJarsYamlSetIsUsed() {
        assertThat(Engine.routesPattern(routes.resolve("missing"))).isEqualTo("classpath:routes/*.camel.yaml");
        assertThat(Engine.routesPattern(routes)).contains("/*.camel.yaml,").endsWith("/*.java");
    }
}
