package io.rotor.connector.ssh;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rotor.vault.VaultException;

import javax.sql.DataSource;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The password changers Rotor knows: the built-ins ({@link BuiltinChangers}, read-only) and the user-defined ones
 * stored in the vault (table {@code password_changers}, migration V6). Names are unique regardless of case across
 * both. Every change writes its audit record in the same transaction.
 *
 * <p>Looked up by connectors when a rotation runs ({@link #get(String)}), so an edited changer is used from the
 * next rotation on. A failed dialogue's redacted transcript is kept here ({@link #recordFailure}) and audited as
 * {@code CHANGER_FAILED}.
 */
public final class ChangerCatalog {
    /** The registry name the connectors and the API look the catalog up by. */
    public static final String BEAN = "passwordChangers";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int AUDIT_DETAIL_LIMIT = 2000;

    /** One changer with its variables as the API spells them (including each variable's {@code value}). */
    public record Entry(PasswordChanger changer, ArrayNode variables) {
    }

    /** What a create or update stores. */
    public record Draft(String name, PasswordChanger.Type type, PasswordChanger.Transport transport, int timeoutSeconds,
                        boolean pty, ArrayNode variables, List<ChangerStep> commands) {
    }

    /** The last failed run of a changer for one login on one target. */
    public record Failure(String changer, String error, String transcript, Instant at) {
    }

    private final DataSource dataSource;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Failure> failures = new ConcurrentHashMap<>();

    public ChangerCatalog(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    // ---------------------------------------------------------------- reading

    public List<Entry> all() {
        List<Entry> out = new ArrayList<>();
        BuiltinChangers.all().forEach(c -> out.add(builtin(c)));
        out.addAll(query(SELECT + " ORDER BY created_at, id"));
        return out;
    }

    public Optional<Entry> byId(String id) {
        for (PasswordChanger c : BuiltinChangers.all()) {
            if (c.id().equals(id)) {
                return Optional.of(builtin(c));
            }
        }
        return query(SELECT + " WHERE id = ?", id).stream().findFirst();
    }

    /** By name, ignoring case: a built-in or a stored changer. */
    public Optional<PasswordChanger> find(String name) {
        if (name == null) {
            return Optional.empty();
        }
        Optional<PasswordChanger> builtin = BuiltinChangers.find(name);
        if (builtin.isPresent()) {
            return builtin;
        }
        return query(SELECT + " WHERE name_key = ?", key(name)).stream().findFirst().map(Entry::changer);
    }

    /** @throws IllegalArgumentException naming the changer when there is none of that name */
    public PasswordChanger get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("no password changer named '" + name
                + "' (neither built-in nor stored; list them with GET /api/v2/password_changer)"));
    }

    public static String key(String name) {
        return name.trim().toLowerCase(Locale.ROOT);
    }

    // ---------------------------------------------------------------- writing

    /** @return the new changer's id */
    public String create(Draft draft, String actor) {
        String id = Long.toString(1_000_000_000L + (random.nextLong() & Long.MAX_VALUE) % 9_000_000_000_000_000_000L);
        Timestamp now = Timestamp.from(clock.instant());
        inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO password_changers (id, name, name_key, type,"
                    + " transport, timeout_seconds, pty, hidden, variables_json, commands_json, created_at, modified_at)"
                    + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
                s.setString(1, id);
                bind(s, 2, draft);
                s.setBoolean(8, false);
                s.setString(9, write(draft.variables()));
                s.setString(10, write(commandsJson(draft.commands())));
                s.setTimestamp(11, now);
                s.setTimestamp(12, now);
                s.executeUpdate();
            }
            audit(c, actor, "CHANGER_CREATE", null, "password changer '" + draft.name() + "' (id " + id + ")");
            return null;
        });
        return id;
    }

    /** @return false when no stored changer has that id */
    public boolean update(String id, Draft draft, String actor) {
        return inTransaction(c -> {
            int changed;
            try (PreparedStatement s = c.prepareStatement("UPDATE password_changers SET name = ?, name_key = ?, type = ?,"
                    + " transport = ?, timeout_seconds = ?, pty = ?, variables_json = ?, commands_json = ?, modified_at = ?"
                    + " WHERE id = ?")) {
                bind(s, 1, draft);
                s.setString(7, write(draft.variables()));
                s.setString(8, write(commandsJson(draft.commands())));
                s.setTimestamp(9, Timestamp.from(clock.instant()));
                s.setString(10, id);
                changed = s.executeUpdate();
            }
            if (changed == 1) {
                audit(c, actor, "CHANGER_UPDATE", null, "password changer '" + draft.name() + "' (id " + id + ")");
            }
            return changed == 1;
        });
    }

    /** @return false when no stored changer has that id */
    public boolean delete(String id, String actor) {
        return inTransaction(c -> {
            int changed;
            try (PreparedStatement s = c.prepareStatement("DELETE FROM password_changers WHERE id = ?")) {
                s.setString(1, id);
                changed = s.executeUpdate();
            }
            if (changed == 1) {
                audit(c, actor, "CHANGER_DELETE", null, "password changer id " + id);
            }
            return changed == 1;
        });
    }

    // ---------------------------------------------------------------- failed runs

    /**
     * Keeps a failed run's redacted transcript (the engine masks every secret) for the login on the target, and
     * audits it as {@code CHANGER_FAILED}. Never throws: the rotation's own outcome is what counts.
     */
    public void recordFailure(String targetId, String login, String changer, String error, String transcript) {
        failures.put(targetId + "\u0000" + login, new Failure(changer, error, transcript, clock.instant()));
        String detail = "changer '" + changer + "' for " + login + ": " + error + "; transcript:\n" + transcript;
        if (detail.length() > AUDIT_DETAIL_LIMIT) {
            detail = detail.substring(0, AUDIT_DETAIL_LIMIT - 3) + "...";
        }
        String finalDetail = detail;
        try {
            inTransaction(c -> {
                audit(c, "rotor", "CHANGER_FAILED", targetId, finalDetail);
                return null;
            });
        } catch (RuntimeException ignored) {
            // the transcript stays in memory; the protocol's own audit record tells the outcome
        }
    }

    /** The last failed run recorded for the login on the target, if any. */
    public Optional<Failure> lastFailure(String targetId, String login) {
        return Optional.ofNullable(failures.get(targetId + "\u0000" + login));
    }

    /** Forgets the last failed run (before a new one starts). */
    public void clearFailure(String targetId, String login) {
        failures.remove(targetId + "\u0000" + login);
    }

    // ---------------------------------------------------------------- helpers

    public static ArrayNode commandsJson(List<ChangerStep> steps) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (ChangerStep step : steps) {
            ObjectNode o = out.addObject();
            o.put("type", step.type().wireName());
            o.put("value", step.value());
            o.put("description", step.description());
        }
        return out;
    }

    public static ArrayNode variablesJson(List<ChangerVariable> variables) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (ChangerVariable v : variables) {
            ObjectNode o = out.addObject();
            o.put("name", v.name());
            o.put("description", v.description());
            o.put("object_type", v.objectType());
            o.put("object_property", v.objectProperty());
            o.put("encrypted", v.encrypted());
            o.put("optional", v.optional());
            o.put("transport", v.transport());
            o.putObject("value").put("value_type", "self");
        }
        return out;
    }

    private static Entry builtin(PasswordChanger c) {
        return new Entry(c, variablesJson(c.variables()));
    }

    private static final String SELECT = "SELECT id, name, type, transport, timeout_seconds, pty, hidden, variables_json,"
            + " commands_json, created_at, modified_at FROM password_changers";

    private static Entry entry(ResultSet r) throws SQLException {
        ArrayNode variables = (ArrayNode) read(r.getString(8));
        List<ChangerVariable> vars = new ArrayList<>();
        for (JsonNode v : variables) {
            vars.add(new ChangerVariable(v.path("name").asText(), text(v, "description"), text(v, "object_type"),
                    text(v, "object_property"), v.path("encrypted").asBoolean(false), v.path("optional").asBoolean(false),
                    v.path("transport").asBoolean(false)));
        }
        List<ChangerStep> steps = new ArrayList<>();
        for (JsonNode s : read(r.getString(9))) {
            steps.add(new ChangerStep(ChangerStep.Type.parse(s.path("type").asText()), s.path("value").asText(),
                    text(s, "description")));
        }
        PasswordChanger changer = new PasswordChanger(r.getString(1),
                PasswordChanger.Type.valueOf(r.getString(3).toUpperCase(Locale.ROOT)), r.getString(2),
                PasswordChanger.Transport.parse(r.getString(4)), r.getInt(5), vars, steps, false, r.getBoolean(7),
                r.getBoolean(6), r.getTimestamp(10).toInstant(), r.getTimestamp(11).toInstant());
        return new Entry(changer, variables);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static void bind(PreparedStatement s, int from, Draft d) throws SQLException {
        s.setString(from, d.name().trim());
        s.setString(from + 1, key(d.name()));
        s.setString(from + 2, d.type().wireName());
        s.setString(from + 3, d.transport().wireName());
        s.setInt(from + 4, d.timeoutSeconds());
        s.setBoolean(from + 5, d.pty());
    }

    private static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode read(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new VaultException("a stored password changer cannot be read: " + e.getOriginalMessage(), e);
        }
    }

    private void audit(Connection c, String actor, String operation, String targetId, String detail) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO audit_log (at, actor, operation, target_id, outcome,"
                + " detail) VALUES (?,?,?,?,?,?)")) {
            s.setTimestamp(1, Timestamp.from(clock.instant()));
            s.setString(2, actor);
            s.setString(3, operation);
            s.setString(4, targetId);
            s.setString(5, operation.equals("CHANGER_FAILED") ? "FAILED" : "SUCCEEDED");
            s.setString(6, detail);
            s.executeUpdate();
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private List<Entry> query(String sql, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                List<Entry> rows = new ArrayList<>();
                while (r.next()) {
                    rows.add(entry(r));
                }
                return rows;
            }
        } catch (SQLException e) {
            throw new VaultException("vault query failed: " + e.getMessage(), e);
        }
    }

    private <T> T inTransaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new VaultException("vault write failed, nothing was changed: " + e.getMessage(), e);
        }
    }
}
