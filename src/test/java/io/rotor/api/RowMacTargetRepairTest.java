package io.rotor.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rotor.domain.Role;
import io.rotor.vault.MasterKey;
import io.rotor.vault.Vault;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A target edited in the vault database answers 409 with the reason through the API, and a PUT seals it again. */
class RowMacTargetRepairTest {
    @TempDir
    Path dataDir;

    @Test
    void aTamperedTargetIsAConflictNamingItAndAPutRepairsIt() throws Exception {
        try (Vault vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 2)) {
            InventoryApi api = new InventoryApi(vault);
            Principal admin = new Principal("token", "admin", Role.ADMIN);
            ObjectNode body = new ObjectMapper().createObjectNode();
            body.put("id", "ssh1").put("type", "ssh").put("host", "10.0.0.5").put("port", 22);
            // an ssh target names its known_hosts file (the settings schema requires it)
            body.putObject("settings").put("knownHosts", dataDir.resolve("known_hosts").toString());
            api.createTarget(body, admin);
            try (Connection c = vault.dataSource().getConnection(); Statement s = c.createStatement()) {
                assertThat(s.executeUpdate("UPDATE targets SET host = '203.0.113.66' WHERE id = 'ssh1'")).isEqualTo(1);
            }

            Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() -> api.getTarget("ssh1"));
            ApiException reply = ApiReplies.translate(refused);
            assertThat(reply.status()).isEqualTo(409);
            assertThat(reply.code()).isEqualTo("INTEGRITY_CHECK_FAILED");
            assertThat(reply.getMessage()).contains("target ssh1's stored settings fail their integrity check");

            assertThat(api.updateTarget("ssh1", body, admin).host()).isEqualTo("10.0.0.5");
            assertThat(api.getTarget("ssh1").host()).isEqualTo("10.0.0.5");
            assertThatThrownBy(() -> api.getTarget("nope")).isInstanceOf(ApiException.class);
        }
    }
}
