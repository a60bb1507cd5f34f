package io.rotor.connector.ssh;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rotor.domain.ChangerDefinition;
import io.rotor.domain.StoredChanger;
import io.rotor.vault.ChangerRepository;
import io.rotor.vault.VaultException;

import java.security.SecureRandom;
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
 * stored in the vault ({@link ChangerRepository}, which writes each change's audit record in the same transaction).
 * Names are unique regardless of case across both.
 *
 * <p>Handed to the connectors through {@link io.rotor.connector.ConnectorContext} and read when a rotation runs ({@link #get(String)}), so an edited changer is used from the
 * next rotation on. A failed dialogue's redacted transcript is kept here ({@link #recordFailure}) and audited as
 * {@code CHANGER_FAILED}.
 */
public final class ChangerCatalog {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How much of the end of a failed run's transcript goes into its audit record (the failure is at the end). */
    static final int AUDIT_TRANSCRIPT_EXCERPT = 1024;

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

    private final ChangerRepository stored;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Failure> failures = new ConcurrentHashMap<>();

    public ChangerCatalog(ChangerRepository stored, Clock clock) {
        this.stored = stored;
        this.clock = clock;
    }

    public ChangerCatalog(ChangerRepository stored) {
        this(stored, Clock.systemUTC());
    }

    // ---------------------------------------------------------------- reading

    public List<Entry> all() {
        List<Entry> out = new ArrayList<>();
        BuiltinChangers.all().forEach(c -> out.add(builtin(c)));
        stored.all().forEach(c -> out.add(entry(c)));
        return out;
    }

    public Optional<Entry> byId(String id) {
        for (PasswordChanger c : BuiltinChangers.all()) {
            if (c.id().equals(id)) {
                return Optional.of(builtin(c));
            }
        }
        return stored.byId(id).map(ChangerCatalog::entry);
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
        return stored.byName(name).map(c -> entry(c).changer());
    }

    /** @throws IllegalArgumentException naming the changer when there is none of that name */
    public PasswordChanger get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("no password changer named '" + name
                + "' (neither built-in nor stored; list them with GET /api/v2/password_changer)"));
    }

    public static String key(String name) {
        return ChangerDefinition.nameKey(name);
    }

    // ---------------------------------------------------------------- writing

    /** @return the new changer's id */
    public String create(Draft draft, String actor) {
        String id = Long.toString(1_000_000_000L + (random.nextLong() & Long.MAX_VALUE) % 9_000_000_000_000_000_000L);
        stored.create(id, definition(draft), actor);
        return id;
    }

    /** @return false when no stored changer has that id */
    public boolean update(String id, Draft draft, String actor) {
        return stored.update(id, definition(draft), actor);
    }

    /** @return false when no stored changer has that id */
    public boolean delete(String id, String actor) {
        return stored.delete(id, actor);
    }

    // ---------------------------------------------------------------- failed runs

    /**
     * Keeps a failed run's redacted transcript (the engine masks every secret and its encodings) for the login on
     * the target, and audits it as {@code CHANGER_FAILED} with only the transcript's last
     * {@value #AUDIT_TRANSCRIPT_EXCERPT} characters; {@link io.rotor.vault.AuditLog} escapes control characters and
     * caps the record. Never throws: the rotation's own outcome is what counts.
     */
    public void recordFailure(String targetId, String login, String changer, String error, String transcript) {
        failures.put(targetId + "\u0000" + login, new Failure(changer, error, transcript, clock.instant()));
        String excerpt = transcript == null ? "" : transcript;
        if (excerpt.length() > AUDIT_TRANSCRIPT_EXCERPT) {
            excerpt = "..." + excerpt.substring(excerpt.length() - AUDIT_TRANSCRIPT_EXCERPT);
        }
        String detail = "changer '" + changer + "' for " + login + ": " + error + "; end of transcript:\n" + excerpt;
        try {
            stored.recordFailure(targetId, detail);
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

    private static Entry entry(StoredChanger stored) {
        ChangerDefinition d = stored.definition();
        ArrayNode variables = (ArrayNode) read(d.variablesJson());
        List<ChangerVariable> vars = new ArrayList<>();
        for (JsonNode v : variables) {
            vars.add(new ChangerVariable(v.path("name").asText(), text(v, "description"), text(v, "object_type"),
                    text(v, "object_property"), v.path("encrypted").asBoolean(false), v.path("optional").asBoolean(false),
                    v.path("transport").asBoolean(false)));
        }
        List<ChangerStep> steps = new ArrayList<>();
        for (JsonNode s : read(d.commandsJson())) {
            steps.add(new ChangerStep(ChangerStep.Type.parse(s.path("type").asText()), s.path("value").asText(),
                    text(s, "description")));
        }
        PasswordChanger changer = new PasswordChanger(stored.id(),
                PasswordChanger.Type.valueOf(d.type().toUpperCase(Locale.ROOT)), d.name(),
                PasswordChanger.Transport.parse(d.transport()), d.timeoutSeconds(), vars, steps, false, stored.hidden(),
                d.pty(), stored.createdAt(), stored.modifiedAt());
        return new Entry(changer, variables);
    }

    private static ChangerDefinition definition(Draft d) {
        return new ChangerDefinition(d.name().trim(), d.type().wireName(), d.transport().wireName(), d.timeoutSeconds(),
                d.pty(), write(d.variables()), write(commandsJson(d.commands())));
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
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
}
