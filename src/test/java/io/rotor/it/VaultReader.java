package io.rotor.it;

import io.rotor.domain.Slot;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.MasterKey;
import io.rotor.vault.StoredCredential;
import io.rotor.vault.Vault;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Opens a test's vault from the test process (H2 AUTO_SERVER allows it next to a running Rotor). */
public final class VaultReader implements AutoCloseable {
    private final Vault vault;

    public VaultReader(Path dataDir, String masterKey) {
        this.vault = Vault.open(null, null, null, dataDir, MasterKey.load(masterKey, dataDir.resolve("master.key")), 2);
    }

    public Optional<char[]> secret(String accountId, Slot slot) {
        return vault.credentials().read(accountId, slot).map(c -> {
            try (StoredCredential credential = c) {
                return credential.secret().chars();
            }
        });
    }

    public Vault vault() {
        return vault;
    }

    public List<AuditRecord> audit() {
        return vault.audit().trail(null, Integer.MAX_VALUE);
    }

    @Override
    public void close() {
        vault.close();
    }
}
