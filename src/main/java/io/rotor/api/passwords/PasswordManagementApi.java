package io.rotor.api.passwords;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rotor.api.ApiException;
import io.rotor.api.Principal;
import io.rotor.domain.PasswordPolicy;
import io.rotor.domain.Role;
import io.rotor.domain.passwords.SyncGroup;
import io.rotor.vault.TokenRepository;
import io.rotor.workflow.passwords.Caller;
import io.rotor.workflow.passwords.PasswordManagement;
import io.rotor.workflow.passwords.PasswordManagementException;
import io.rotor.workflow.passwords.PasswordViews;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The /v3 password management endpoints between JSON and {@link PasswordManagement}: reads SailPoint's request
 * bodies, works out who the caller is (an identity token acts for its own vault user only; an admin for anyone;
 * an operator only where {@code rotor.password-management.operator-acts-for-others} allows), applies the
 * per-principal rate limit, and writes SailPoint's response shapes.
 */
public final class PasswordManagementApi {
    private static final Set<String> QUERY_FIELDS = Set.of("userName", "sourceName");
    private static final Set<String> CHANGE_FIELDS = Set.of("identityId", "encryptedPassword", "publicKeyId", "accountId", "sourceId");
    private static final Set<String> GROUP_FIELDS = Set.of("id", "name", "passwordPolicyId", "sourceIds", "created", "modified");

    private final PasswordManagement passwords;
    private final TokenRepository tokens;
    private final RateLimit rateLimit;
    private final boolean operatorActsForOthers;

    public PasswordManagementApi(PasswordManagement passwords, TokenRepository tokens, RateLimit rateLimit,
                                 boolean operatorActsForOthers) {
        this.passwords = passwords;
        this.tokens = tokens;
        this.rateLimit = rateLimit;
        this.operatorActsForOthers = operatorActsForOthers;
    }

    public PasswordViews.PasswordInfo queryPasswordInfo(Principal principal, JsonNode body) {
        throttle(principal);
        known(body, QUERY_FIELDS);
        return passwords.queryPasswordInfo(caller(principal), text(body, "userName"), text(body, "sourceName"));
    }

    public PasswordViews.ChangeResponse setPassword(Principal principal, JsonNode body) {
        throttle(principal);
        known(body, CHANGE_FIELDS);
        return passwords.setPassword(caller(principal), text(body, "identityId"), text(body, "encryptedPassword"),
                text(body, "publicKeyId"), text(body, "accountId"), text(body, "sourceId"));
    }

    public PasswordViews.PasswordStatus status(Principal principal, String id) {
        return passwords.status(caller(principal), id);
    }

    // ---------------------------------------------------------------- sync groups

    public List<PasswordViews.SyncGroupView> groups(String limit, String offset) {
        int first = number("offset", offset, 0, Integer.MAX_VALUE, 0);
        int max = number("limit", limit, 0, 250, 250);
        return passwords.groups().stream().skip(first).limit(max).map(PasswordManagementApi::view).toList();
    }

    /** The number of groups a list would give without limit and offset, for {@code count=true}. */
    public int groupCount() {
        return passwords.groups().size();
    }

    public int policyCount() {
        return passwords.policies().size();
    }

    /** SailPoint's {@code count} query parameter: absent or false → no total, true → the X-Total-Count header. */
    public static boolean countRequested(String value) {
        if (value == null || value.isBlank() || value.trim().equalsIgnoreCase("false")) {
            return false;
        }
        if (value.trim().equalsIgnoreCase("true")) {
            return true;
        }
        throw invalid("count: true or false");
    }

    public PasswordViews.SyncGroupView group(String id) {
        return view(passwords.group(id));
    }

    public PasswordViews.SyncGroupView createGroup(Principal principal, JsonNode body) {
        known(body, GROUP_FIELDS);
        return view(passwords.saveGroup(null, text(body, "name"), text(body, "passwordPolicyId"), list(body, "sourceIds"),
                principal.actor()));
    }

    public PasswordViews.SyncGroupView updateGroup(Principal principal, String id, JsonNode body) {
        known(body, GROUP_FIELDS);
        String bodyId = text(body, "id");
        if (bodyId != null && !bodyId.equals(id)) {
            throw PasswordManagementApi.invalid("id: the body's id differs from the path's");
        }
        return view(passwords.saveGroup(id, text(body, "name"), text(body, "passwordPolicyId"), list(body, "sourceIds"),
                principal.actor()));
    }

    public void deleteGroup(Principal principal, String id) {
        passwords.deleteGroup(id, principal.actor());
    }

    // ---------------------------------------------------------------- policies

    public List<ObjectNode> policies(String limit, String offset) {
        int first = number("offset", offset, 0, Integer.MAX_VALUE, 0);
        int max = number("limit", limit, 0, 250, 250);
        return passwords.policies().stream().skip(first).limit(max).map(this::policyView).toList();
    }

    public ObjectNode policy(String id) {
        return passwords.policies().stream().filter(p -> p.id().equals(id)).findFirst().map(this::policyView)
                .orElseThrow(() -> new PasswordManagementException(PasswordManagementException.Kind.NOT_FOUND,
                        "no password policy has the id '" + id + "'"));
    }

    /** A Rotor policy in SailPoint's {@code PasswordPolicyV3Dto} fields. */
    private ObjectNode policyView(PasswordPolicy p) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("id", p.id());
        out.put("name", p.id());
        out.put("description", "Rotor password policy '" + p.id() + "'; symbols: " + p.symbols()
                + (p.excluded() == null || p.excluded().isEmpty() ? "" : "; excluded: " + p.excluded()));
        out.put("minLength", p.minLength());
        out.put("maxLength", p.maxLength());
        out.put("minUpper", p.minUpper());
        out.put("minLower", p.minLower());
        out.put("minNumeric", p.minDigit());
        out.put("minSpecial", p.minSymbol());
        out.put("minAlpha", p.minUpper() + p.minLower());
        out.put("defaultPolicy", p.id().equals(PasswordPolicy.defaults().id()));
        out.put("validateAgainstAccountId", p.notContainUsername());
        out.put("validateAgainstAccountName", p.notContainUsername());
        out.putArray("sourceIds").addAll(passwords.sourcesOfPolicy(p.id()).stream()
                .map(JsonNodeFactory.instance::textNode).toList());
        return out;
    }

    // ---------------------------------------------------------------- helpers

    /** The caller of the service: identity tokens act for their vault user, admins for anyone. */
    Caller caller(Principal principal) {
        String identity = principal.role() == Role.IDENTITY && Principal.TOKEN.equals(principal.kind())
                ? tokens.boundIdentity(principal.name()).orElse(null) : null;
        boolean forOthers = principal.role() == Role.ADMIN || (principal.role() == Role.OPERATOR && operatorActsForOthers);
        return new Caller(principal.actor(), identity, forOthers);
    }

    private void throttle(Principal principal) {
        rateLimit.tryAcquire(principal.actor()).ifPresent(wait -> {
            throw ApiException.tooManyRequests(wait, "too many password requests; wait before trying again");
        });
    }

    private static PasswordViews.SyncGroupView view(SyncGroup g) {
        return new PasswordViews.SyncGroupView(g.id(), g.name(), g.policyId(), g.sourceIds(),
                g.created() == null ? null : g.created().toString(), g.modified() == null ? null : g.modified().toString());
    }

    private static void known(JsonNode body, Set<String> fields) {
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!fields.contains(name)) {
                throw invalid(name.length() > 64 ? "unknown field" : "unknown field '" + name + "'; expected " + fields);
            }
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw invalid(field + ": must be a string");
        }
        return value.asText();
    }

    private static List<String> list(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw invalid(field + ": must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw invalid(field + ": must be an array of strings");
            }
            out.add(item.asText());
        }
        return out;
    }

    private static int number(String name, String value, int min, int max, int fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw invalid(name + ": an integer from " + min + " to " + max);
    }

    private static PasswordManagementException invalid(String message) {
        return new PasswordManagementException(PasswordManagementException.Kind.INVALID, message);
    }

    /** The HTTP status of a refusal from the service. */
    public static int status(PasswordManagementException e) {
        return switch (e.kind()) {
            case INVALID -> 400;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
        };
    }
}
