package io.rotor.vault;

import io.rotor.domain.AgentInfo;
import org.jdbi.v3.core.Handle;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Agents of sites the server cannot reach (table of migration V11; docs/architecture.md, "Agents"). Only SHA-256
 * hashes are stored: of the one-time enrollment token until the agent enrolls, then of the agent's own credential.
 * Every change writes its audit record in its own transaction. Each row carries a {@link RowSeal} MAC (name, site,
 * both hashes, revoked or not): a row written or edited in the database would let someone receive a site's
 * secrets, so it fails authentication, with an audited {@code ROW_MAC_MISMATCH}.
 */
public final class AgentRepository {
    static final String AGENTS = "agents";
    private static final String SELECT = "SELECT name, site, created_at, created_by, enrolled_at, last_contact_at,"
            + " last_address, revoked_at FROM agents";

    private final UnitOfWork work;
    private final AuditLog audit;
    private final RowSeal seal;

    public AgentRepository(UnitOfWork work, AuditLog audit, RowSeal seal) {
        this.work = work;
        this.audit = audit;
        this.seal = seal;
    }

    private String mac(String name, String site, String enrollHash, String credentialHash, boolean revoked) {
        return seal.mac(AGENTS, name, site, enrollHash, credentialHash, revoked ? "revoked" : "active");
    }

    /**
     * A new agent of {@code site} that may enroll once, within {@code validity} (by the vault database's clock),
     * with the token whose hash is given.
     *
     * @throws IllegalArgumentException when the name is taken (revoked agents keep their name)
     */
    public void create(String name, String site, String enrollHash, Duration validity, String createdBy) {
        work.useTransaction(h -> {
            if (h.createQuery("SELECT 1 FROM agents WHERE name = :name").bind("name", name).mapTo(Integer.class)
                    .findFirst().isPresent()) {
                throw new IllegalArgumentException("an agent named '" + name + "' already exists (revoked agents keep their name)");
            }
            Timestamp now = Timestamp.from(work.now());
            h.createUpdate("INSERT INTO agents (name, site, enroll_hash, enroll_expires_at, created_at, created_by, row_mac)"
                            + " VALUES (:name, :site, :hash, :expires, :now, :by, :mac)")
                    .bind("name", name).bind("site", site).bind("hash", enrollHash)
                    .bind("expires", Timestamp.from(work.now().plus(validity))).bind("now", now).bind("by", createdBy)
                    .bind("mac", mac(name, site, enrollHash, null, false)).execute();
            audit.write(h, AuditRecord.of(createdBy, "AGENT_TOKEN_CREATE", null, null, null, "SUCCEEDED",
                    "agent '" + name + "' of site '" + site + "', enrollment valid " + validity.toMinutes() + " min"));
        });
    }

    /**
     * Exchanges a one-time enrollment token for the agent's own credential: the token's row must be sealed, active,
     * not yet enrolled and not expired; its enrollment hash is cleared in the same statement, so a token works once.
     *
     * @return the agent, or empty (audited) when the token is unknown, used, expired, revoked or its row is tampered
     */
    public Optional<AgentInfo> enroll(String enrollHash, String credentialHash, String address) {
        return work.inTransaction(h -> {
            Optional<String[]> row = h.createQuery("SELECT name, site, row_mac FROM agents WHERE enroll_hash = :hash"
                            + " AND revoked_at IS NULL AND credential_hash IS NULL AND enroll_expires_at > CURRENT_TIMESTAMP")
                    .bind("hash", enrollHash).map((r, ctx) -> new String[]{r.getString(1), r.getString(2), r.getString(3)})
                    .findFirst();
            if (row.isEmpty() || !seal.matches(row.get()[2], AGENTS, row.get()[0], row.get()[1], enrollHash, null, "active")) {
                audit.write(h, AuditRecord.of("agent", "AGENT_ENROLL", null, null, null, "REFUSED",
                        (row.isEmpty() ? "unknown, used, expired or revoked enrollment token"
                                : "agent '" + row.get()[0] + "' fails its integrity check") + " from " + address));
                return Optional.<AgentInfo>empty();
            }
            String name = row.get()[0];
            int changed = h.createUpdate("UPDATE agents SET enroll_hash = NULL, enroll_expires_at = NULL,"
                            + " credential_hash = :cred, enrolled_at = :now, last_contact_at = :now, last_address = :address,"
                            + " row_mac = :mac WHERE name = :name AND enroll_hash = :hash")
                    .bind("cred", credentialHash).bind("now", Timestamp.from(work.now())).bind("address", address)
                    .bind("mac", mac(name, row.get()[1], null, credentialHash, false)).bind("name", name)
                    .bind("hash", enrollHash).execute();
            if (changed != 1) {
                return Optional.<AgentInfo>empty();
            }
            audit.write(h, AuditRecord.of("agent:" + name, "AGENT_ENROLL", null, null, null, "SUCCEEDED",
                    "agent '" + name + "' of site '" + row.get()[1] + "' enrolled from " + address));
            return find(h, name);
        });
    }

    /** The active, enrolled agent with this credential; empty (and audited) when its row fails its MAC. */
    public Optional<AgentInfo> authenticate(String credentialHash) {
        record Sealed(AgentInfo agent, boolean sealed) {
        }
        Optional<Sealed> found = work.read(h -> h.createQuery(SELECT.replace(" FROM", ", row_mac FROM")
                        + " WHERE credential_hash = :hash AND revoked_at IS NULL")
                .bind("hash", credentialHash)
                .map((r, ctx) -> new Sealed(agent(r), seal.matches(r.getString(9), AGENTS, r.getString(1), r.getString(2),
                        null, credentialHash, "active")))
                .findFirst());
        if (found.isPresent() && !found.get().sealed()) {
            work.useTransaction(h -> audit.write(h, AuditRecord.of("system", "ROW_MAC_MISMATCH", null, null, null, "REFUSED",
                    "agent '" + found.get().agent().name() + "' fails its integrity check (written or edited outside"
                            + " Rotor); authentication refused")));
            return Optional.empty();
        }
        return found.map(Sealed::agent);
    }

    /** Records a request of the agent (not audited: polls come every few seconds). */
    public void touch(String name, String address) {
        work.useTransaction(h -> h.createUpdate("UPDATE agents SET last_contact_at = :now, last_address = :address"
                        + " WHERE name = :name").bind("now", Timestamp.from(work.now())).bind("address", address)
                .bind("name", name).execute());
    }

    /** @return false when no active agent has that name */
    public boolean revoke(String name, String actor) {
        return work.inTransaction(h -> {
            Optional<String[]> row = h.createQuery("SELECT site, enroll_hash, credential_hash FROM agents WHERE name = :name"
                            + " AND revoked_at IS NULL").bind("name", name)
                    .map((r, ctx) -> new String[]{r.getString(1), r.getString(2), r.getString(3)}).findFirst();
            if (row.isEmpty()) {
                return false;
            }
            // sealed as revoked: clearing revoked_at in the database later makes the row fail its MAC
            int changed = h.createUpdate("UPDATE agents SET revoked_at = :now, row_mac = :mac WHERE name = :name"
                            + " AND revoked_at IS NULL").bind("now", Timestamp.from(work.now())).bind("name", name)
                    .bind("mac", mac(name, row.get()[0], row.get()[1], row.get()[2], true)).execute();
            if (changed == 1) {
                audit.write(h, AuditRecord.of(actor, "AGENT_TOKEN_REVOKE", null, null, null, "SUCCEEDED",
                        "agent '" + name + "' of site '" + row.get()[0] + "'"));
            }
            return changed == 1;
        });
    }

    public List<AgentInfo> list() {
        return work.read(h -> h.createQuery(SELECT + " ORDER BY site, name").map((r, ctx) -> agent(r)).list());
    }

    private static Optional<AgentInfo> find(Handle h, String name) {
        return h.createQuery(SELECT + " WHERE name = :name").bind("name", name).map((r, ctx) -> agent(r)).findFirst();
    }

    private static AgentInfo agent(ResultSet r) throws SQLException {
        return new AgentInfo(r.getString(1), r.getString(2), instant(r.getTimestamp(3)), r.getString(4),
                instant(r.getTimestamp(5)), instant(r.getTimestamp(6)), r.getString(7), instant(r.getTimestamp(8)));
    }

    private static java.time.Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
