package io.rotor.cluster.agent;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.DiscoverRequest;
import io.rotor.connector.DiscoverResult;
import io.rotor.connector.Elevation;
import io.rotor.connector.Login;
import io.rotor.connector.LoginFacts;
import io.rotor.connector.ReconcileRequest;
import io.rotor.connector.VerifyRequest;
import io.rotor.connector.VerifyResult;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The agent protocol's JSON (docs/architecture.md, "Agents"): one operation the server hands an agent, and the
 * outcome the agent sends back. An operation carries the secrets of that operation only; it is written straight
 * from the {@link Secret}s' characters into a byte array that the caller wipes once it has been sent, and read on
 * the agent into fresh {@link Secret}s. Nothing here logs or prints a value.
 */
public final class AgentWire {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    public enum Kind { VERIFY, CHANGE, RECONCILE, DISCOVER }

    /** An operation as the agent reads it: exactly one request is set, the one of {@code kind}. */
    public record Operation(String id, Kind kind, VerifyRequest verify, ChangeRequest change, ReconcileRequest reconcile,
                            DiscoverRequest discover) implements AutoCloseable {
        public Target target() {
            return switch (kind) {
                case VERIFY -> verify.target();
                case CHANGE -> change.target();
                case RECONCILE -> reconcile.target();
                case DISCOVER -> discover.target();
            };
        }

        /** Wipes every secret the operation carried. */
        @Override
        public void close() {
            switch (kind) {
                case VERIFY -> wipe(verify.login());
                case CHANGE -> {
                    wipe(change.current());
                    wipe(change.newSecret());
                    wipe(change.admin());
                    wipe(change.elevation());
                }
                case RECONCILE -> {
                    wipe(reconcile.newSecret());
                    wipe(reconcile.admin());
                    wipe(reconcile.elevation());
                }
                case DISCOVER -> wipe(discover.admin());
            }
        }
    }

    private AgentWire() {
    }

    // ------------------------------------------------------------------ server → agent

    /** The operation's JSON; the caller wipes the array once it has been sent. */
    public static byte[] write(String id, Kind kind, Object request) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("kind", kind.name());
            if (request instanceof VerifyRequest r) {
                target(g, r.target());
                login(g, "login", r.login());
            } else if (request instanceof ChangeRequest r) {
                target(g, r.target());
                g.writeStringField("username", r.username());
                secret(g, "current", r.current());
                secret(g, "newSecret", r.newSecret());
                login(g, "admin", r.admin());
                elevation(g, r.elevation());
            } else if (request instanceof ReconcileRequest r) {
                target(g, r.target());
                g.writeStringField("username", r.username());
                secret(g, "newSecret", r.newSecret());
                login(g, "admin", r.admin());
                elevation(g, r.elevation());
            } else if (request instanceof DiscoverRequest r) {
                target(g, r.target());
                login(g, "admin", r.admin());
                g.writeStringField("filter", r.filter());
            } else {
                throw new IllegalArgumentException("not an agent operation: " + request.getClass().getSimpleName());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write an agent operation", e);
        }
        return out.toByteArray();
    }

    public static Operation readOperation(byte[] json) {
        try {
            JsonNode n = MAPPER.readTree(json);
            String id = text(n, "id");
            Kind kind = Kind.valueOf(text(n, "kind"));
            // the agent connects directly: its connector gets the target without the site
            Target target = target(n.get("target")).withoutSite();
            return switch (kind) {
                case VERIFY -> new Operation(id, kind, new VerifyRequest(target, login(n.get("login"))), null, null, null);
                case CHANGE -> new Operation(id, kind, null, new ChangeRequest(target, text(n, "username"),
                        secret(n.get("current")), secret(n.get("newSecret")), login(n.get("admin")), elevation(n)), null, null);
                case RECONCILE -> new Operation(id, kind, null, null, new ReconcileRequest(target, text(n, "username"),
                        secret(n.get("newSecret")), login(n.get("admin")), elevation(n)), null);
                case DISCOVER -> new Operation(id, kind, null, null, null,
                        new DiscoverRequest(target, login(n.get("admin")), text(n, "filter")));
            };
        } catch (IOException | RuntimeException e) {
            // never the body in the message: it holds secrets
            throw new IllegalArgumentException("malformed agent operation (" + e.getClass().getSimpleName() + ")");
        }
    }

    // ------------------------------------------------------------------ agent → server

    public static byte[] result(VerifyResult r) {
        ObjectNode n = MAPPER.createObjectNode().put("outcome", r.outcome().name()).put("detail", r.detail());
        return bytes(n);
    }

    public static byte[] result(ChangeResult r) {
        ObjectNode n = MAPPER.createObjectNode().put("outcome", r.outcome().name()).put("detail", r.detail())
                .put("loginRefused", r.loginRefused());
        return bytes(n);
    }

    public static byte[] result(DiscoverResult r) {
        ObjectNode n = MAPPER.createObjectNode().put("outcome", "DISCOVERED");
        r.usernames().forEach(n.putArray("usernames")::add);
        ObjectNode facts = n.putObject("facts");
        r.facts().forEach((user, f) -> {
            ObjectNode fact = facts.putObject(user);
            if (f.uid() != null) {
                fact.put("uid", f.uid());
            }
            f.privileges().forEach(fact.putArray("privileges")::add);
        });
        return bytes(n);
    }

    /** A failure of the agent around the connector (it could not run it); the server treats it like an exception. */
    public static byte[] failure(String detail) {
        return bytes(MAPPER.createObjectNode().put("outcome", "FAILED").put("detail", detail));
    }

    public static VerifyResult verifyResult(JsonNode n) {
        String outcome = text(n, "outcome");
        if ("FAILED".equals(outcome)) {
            return VerifyResult.unreachable("agent: " + text(n, "detail"));
        }
        return new VerifyResult(VerifyResult.Outcome.valueOf(outcome), text(n, "detail"));
    }

    public static ChangeResult changeResult(JsonNode n) {
        String outcome = text(n, "outcome");
        if ("FAILED".equals(outcome)) {
            // the agent may have sent the change before it failed: unknown, recovery decides
            return ChangeResult.unknown("agent: " + text(n, "detail"));
        }
        return new ChangeResult(ChangeResult.Outcome.valueOf(outcome), text(n, "detail"),
                n.path("loginRefused").asBoolean(false));
    }

    public static DiscoverResult discoverResult(JsonNode n) {
        if (!"DISCOVERED".equals(text(n, "outcome"))) {
            throw new IllegalStateException("agent: discovery failed: " + text(n, "detail"));
        }
        List<String> users = new ArrayList<>();
        n.path("usernames").forEach(u -> users.add(u.asText()));
        Map<String, LoginFacts> facts = new HashMap<>();
        n.path("facts").properties().forEach(e -> {
            Set<String> privileges = new TreeSet<>();
            e.getValue().path("privileges").forEach(p -> privileges.add(p.asText()));
            JsonNode uid = e.getValue().get("uid");
            facts.put(e.getKey(), new LoginFacts(uid == null ? null : uid.asLong(), privileges));
        });
        return new DiscoverResult(users, facts);
    }

    public static JsonNode parse(byte[] json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("body: not JSON");
        }
    }

    // ------------------------------------------------------------------ helpers

    private static byte[] bytes(JsonNode n) {
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void target(JsonGenerator g, Target t) throws IOException {
        g.writeObjectFieldStart("target");
        g.writeStringField("id", t.id());
        g.writeStringField("type", t.type());
        g.writeStringField("host", t.host());
        g.writeNumberField("port", t.port());
        g.writeStringField("database", t.database());
        g.writeStringField("tls", t.tlsMode().configName());
        g.writeStringField("adminAccount", t.adminAccountId());
        g.writeStringField("policy", t.policyId());
        g.writeObjectFieldStart("settings");
        for (Map.Entry<String, String> e : t.settings().entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private static Target target(JsonNode n) {
        Map<String, String> settings = new HashMap<>();
        n.path("settings").properties().forEach(e -> settings.put(e.getKey(), e.getValue().asText()));
        return new Target(text(n, "id"), text(n, "type"), text(n, "host"), n.path("port").asInt(), text(n, "database"),
                TlsMode.parse(text(n, "tls")), text(n, "adminAccount"), text(n, "policy"), settings);
    }

    private static void secret(JsonGenerator g, String field, Secret secret) throws IOException {
        if (secret == null) {
            return;
        }
        char[] chars = secret.chars();
        try {
            g.writeFieldName(field);
            g.writeString(chars, 0, chars.length);
        } finally {
            java.util.Arrays.fill(chars, '\0');
        }
    }

    private static void login(JsonGenerator g, String field, Login login) throws IOException {
        if (login == null) {
            return;
        }
        g.writeObjectFieldStart(field);
        g.writeStringField("username", login.username());
        secret(g, "secret", login.secret());
        g.writeEndObject();
    }

    private static void elevation(JsonGenerator g, Elevation e) throws IOException {
        if (e == null || (e.loginAccount() == null && e.enableSecret() == null)) {
            return;
        }
        g.writeObjectFieldStart("elevation");
        login(g, "loginAccount", e.loginAccount());
        secret(g, "enableSecret", e.enableSecret());
        g.writeEndObject();
    }

    private static Secret secret(JsonNode n) {
        return n == null || n.isNull() ? null : Secret.of(n.asText().toCharArray());
    }

    private static Login login(JsonNode n) {
        return n == null || n.isNull() ? null : new Login(text(n, "username"), secret(n.get("secret")));
    }

    private static Elevation elevation(JsonNode op) {
        JsonNode e = op.get("elevation");
        return e == null ? Elevation.NONE : new Elevation(login(e.get("loginAccount")), secret(e.get("enableSecret")));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static void wipe(Secret s) {
        if (s != null) {
            s.close();
        }
    }

    private static void wipe(Login l) {
        if (l != null) {
            wipe(l.secret());
        }
    }

    private static void wipe(Elevation e) {
        if (e != null) {
            wipe(e.loginAccount());
            wipe(e.enableSecret());
        }
    }
}
