package io.rotor.it;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.rotor.connector.ssh.ChangerCatalog;
import io.rotor.connector.ssh.ChangerStep;
import io.rotor.connector.ssh.PasswordChanger;
import io.rotor.vault.MasterKey;
import io.rotor.vault.Vault;
import io.rotor.vault.VaultException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Migration V6 and the changer catalog on PostgreSQL: stored, read back, updated, unique names, deleted. */
class ChangerCatalogOnPostgresIT {
    private static final String DATABASE = "rotor_changers_it";
    private static RealTargets targets;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void createDatabase() throws Exception {
        targets = RealTargets.load();
        try (Connection c = targets.pgAdminConnection(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE);
            s.execute("CREATE DATABASE " + DATABASE);
        }
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        try (Connection c = targets.pgAdminConnection(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
        }
    }

    @Test
    void storedChangersRoundTripOnPostgresql() {
        String url = "jdbc:postgresql://" + targets.pgHost() + ":" + targets.pgPort() + "/" + DATABASE + "?sslmode=disable";
        try (Vault vault = Vault.open(url, targets.pgAdminUser(), new String(targets.pgAdminPassword()), dataDir,
                MasterKey.load(null, dataDir.resolve("master.key")), 2)) {
            ChangerCatalog catalog = new ChangerCatalog(vault.changers());
            var variables = JsonNodeFactory.instance.arrayNode();
            variables.addObject().put("name", "host").put("object_type", "server").put("object_property", "address");
            ChangerCatalog.Draft draft = new ChangerCatalog.Draft("My Changer", PasswordChanger.Type.CHANGE,
                    PasswordChanger.Transport.TELNET, 30, true, variables,
                    List.of(ChangerStep.input("passwd %%account_login%% ' \" \\ ÄÖ"), ChangerStep.expected("(?i)new password: ?")));
            String id = catalog.create(draft, "test");
            PasswordChanger stored = catalog.get("my changer");
            assertThat(stored.id()).isEqualTo(id);
            assertThat(stored.transport()).isEqualTo(PasswordChanger.Transport.TELNET);
            assertThat(stored.pty()).isTrue();
            assertThat(stored.commands()).isEqualTo(draft.commands());
            assertThat(stored.variables().get(0).objectProperty()).isEqualTo("address");
            assertThatThrownBy(() -> catalog.create(new ChangerCatalog.Draft("MY CHANGER", PasswordChanger.Type.VERIFY,
                    PasswordChanger.Transport.SSH, 5, false, variables, draft.commands()), "test"))
                    .isInstanceOf(VaultException.class);
            assertThat(catalog.update(id, new ChangerCatalog.Draft("Renamed", PasswordChanger.Type.VERIFY,
                    PasswordChanger.Transport.SSH, 5, false, variables, draft.commands()), "test")).isTrue();
            assertThat(catalog.byId(id).orElseThrow().changer().name()).isEqualTo("Renamed");
            assertThat(catalog.delete(id, "test")).isTrue();
            assertThat(catalog.find("Renamed")).isEmpty();
        }
    }
}
