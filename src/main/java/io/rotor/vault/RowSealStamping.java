package io.rotor.vault;

import org.jdbi.v3.core.Handle;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Stamps, once, the MACs of rows written before row MACs existed (migration V9 adds the column but cannot
 * compute a MAC), then records that it did so in {@code vault_row_seal} under a MAC of its own. After that a row
 * without a MAC is a forged row and is refused like any other whose MAC does not match. If the record is missing
 * while sealed rows exist, someone removed it (perhaps to get a forged row stamped): nothing is stamped, the
 * refusal is audited (at every open, until an operator looks) and rows without a MAC stay refused. See docs/architecture.md, "Row MACs".
 */
final class RowSealStamping {
    static final String TABLE = "vault_row_seal";
    private static final int IDS_IN_RECORD = 20;

    private final UnitOfWork work;
    private final AuditLog audit;
    private final RowSeal seal;

    RowSealStamping(UnitOfWork work, AuditLog audit, RowSeal seal) {
        this.work = work;
        this.audit = audit;
        this.seal = seal;
    }

    void stampOnce() {
        if (done()) {
            return;
        }
        try {
            work.useTransaction(this::stamp);
        } catch (RuntimeException e) {
            if (!done()) { // another process opening the vault at the same time stamped first: fine
                throw e;
            }
        }
    }

    private boolean done() {
        Optional<String> marker = work.read(h -> h.createQuery("SELECT row_mac FROM " + TABLE + " WHERE id = 1")
                .mapTo(String.class).findFirst());
        if (marker.isPresent() && !seal.matches(marker.get(), TABLE, "1")) {
            throw new TamperedRowException("the vault's row-MAC record fails its integrity check: it was edited in the"
                    + " database, or the vault is opened with another master key");
        }
        return marker.isPresent();
    }

    private void stamp(Handle h) {
        long sealed = 0;
        for (String table : List.of("targets", "api_tokens", "service_accounts")) {
            sealed += h.createQuery("SELECT COUNT(*) FROM " + table + " WHERE row_mac IS NOT NULL").mapTo(Long.class).one();
        }
        if (sealed > 0) {
            // not a pre-V9 vault: stamping now could bless a forged row; rows without a MAC stay refused
            audit.write(h, AuditRecord.of("system", "ROW_MAC_STAMP", null, null, null, "REFUSED", "the record that"
                    + " row MACs were stamped is missing although " + sealed + " sealed row(s) exist: nothing stamped;"
                    + " rows without a MAC stay refused"));
            return;
        }
        List<String> stamped = new ArrayList<>();
        h.createQuery("SELECT id, type, host, port, database_name, tls_mode, admin_account_id, policy_id, settings_json"
                        + " FROM targets")
                .map((r, ctx) -> new String[]{r.getString(1), TargetRepository.mac(seal, r.getString(1), r.getString(2),
                        r.getString(3), r.getInt(4), r.getString(5), r.getString(6), r.getString(7), r.getString(8),
                        r.getString(9))})
                .list()
                .forEach(row -> {
                    h.createUpdate("UPDATE targets SET row_mac = :mac WHERE id = :id").bind("mac", row[1])
                            .bind("id", row[0]).execute();
                    stamped.add("target " + row[0]);
                });
        h.createQuery("SELECT name, role, token_hash, revoked_at, identity_id FROM api_tokens")
                .map((r, ctx) -> new String[]{r.getString(1), TokenRepository.tokenMac(seal, r.getString(1),
                        r.getString(2), r.getString(3), r.getTimestamp(4) != null, r.getString(5))})
                .list()
                .forEach(row -> {
                    h.createUpdate("UPDATE api_tokens SET row_mac = :mac WHERE name = :id").bind("mac", row[1])
                            .bind("id", row[0]).execute();
                    stamped.add("token " + row[0]);
                });
        h.createQuery("SELECT username, role, password_hash FROM service_accounts")
                .map((r, ctx) -> new String[]{r.getString(1), TokenRepository.serviceAccountMac(seal, r.getString(1),
                        r.getString(2), r.getString(3))})
                .list()
                .forEach(row -> {
                    h.createUpdate("UPDATE service_accounts SET row_mac = :mac WHERE username = :id").bind("mac", row[1])
                            .bind("id", row[0]).execute();
                    stamped.add("service account " + row[0]);
                });
        h.createUpdate("INSERT INTO " + TABLE + " (id, stamped_at, row_mac) VALUES (1, :now, :mac)")
                .bind("now", java.sql.Timestamp.from(work.now())).bind("mac", seal.mac(TABLE, "1")).execute();
        if (!stamped.isEmpty()) {
            String listed = String.join(", ", stamped.subList(0, Math.min(IDS_IN_RECORD, stamped.size())))
                    + (stamped.size() > IDS_IN_RECORD ? " and " + (stamped.size() - IDS_IN_RECORD) + " more" : "");
            audit.write(h, AuditRecord.of("system", "ROW_MAC_STAMP", null, null, null, "SUCCEEDED", stamped.size()
                    + " row(s) written before row MACs stamped once: " + listed));
        }
    }
}
