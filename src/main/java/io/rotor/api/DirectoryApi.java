package io.rotor.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.rotor.domain.Target;
import io.rotor.domain.UserGroup;
import io.rotor.domain.VaultTemplate;
import io.rotor.domain.VaultUser;
import io.rotor.domain.Ids;
import io.rotor.schema.SchemaValidator.Mode;
import io.rotor.vault.AccessRepository;
import io.rotor.vault.AccountRepository;
import io.rotor.vault.AttributeRepository;
import io.rotor.vault.ConflictException;
import io.rotor.vault.GroupRepository;
import io.rotor.vault.InvalidFieldException;
import io.rotor.vault.ResyncResult;
import io.rotor.vault.TargetRepository;
import io.rotor.vault.TemplateRepository;
import io.rotor.vault.UnknownEntryException;
import io.rotor.vault.UserRepository;
import io.rotor.vault.VaultAccess;
import io.rotor.vault.VaultModel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The vault's directory through the API (see {@code docs/vault-model.md}): users and user groups of the vault user
 * targets, group members, vault-account templates, account attributes and the access rebuild ("resync"). Plain
 * Java over the vault model's repositories ({@link io.rotor.vault.VaultModel}), which run every write in one
 * transaction with its audit record.
 *
 * <p>Bodies are checked here, before the store is called, so that messages name the API's fields
 * ({@code field 'userTarget': ...}): first against their JSON Schema ({@code user}, {@code group}, {@code template}
 * under {@code /api/v1/schemas}), then for what refers to other records; a refused request changes nothing. POST creates (an existing id is
 * {@code 409 ALREADY_EXISTS}); PUT replaces an existing record whole; the body's id, if given, must be the path's.
 */
public class DirectoryApi {
    static final Pattern ID = Ids.ID_PATTERN;

    private final AccountRepository accounts;
    private final TargetRepository targets;
    private final UserRepository users;
    private final GroupRepository groups;
    private final AttributeRepository attributes;
    private final AccessRepository access;
    private final TemplateRepository templates;

    public DirectoryApi(AccountRepository accounts, TargetRepository targets, UserRepository users, GroupRepository groups,
                        AttributeRepository attributes, AccessRepository access, TemplateRepository templates) {
        this.accounts = accounts;
        this.targets = targets;
        this.users = users;
        this.groups = groups;
        this.attributes = attributes;
        this.access = access;
        this.templates = templates;
    }

    // ---------------------------------------------------------------- views and requests (OpenAPI types too)

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record UserView(String id, String userTarget, String login, String displayName, boolean disabled) {
        static UserView of(VaultUser u) {
            return new UserView(u.id(), u.userTargetId(), u.login(), u.displayName(), u.disabled());
        }
    }

    public record GroupView(String id, String userTarget, String name) {
        static GroupView of(UserGroup g) {
            return new GroupView(g.id(), g.userTargetId(), g.name());
        }
    }

    public record TemplateView(String id, String vaultTarget, String namePattern, Map<String, List<String>> attributes) {
        static TemplateView of(VaultTemplate t) {
            return new TemplateView(t.id(), t.vaultTargetId(), t.namePattern(), t.attributes());
        }
    }

    /** One vault account a user may use, and through what: {@code association} or {@code group:<groupId>}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AccessView(String vaultAccount, String via, String group) {
        static AccessView of(VaultAccess a) {
            return new AccessView(a.vaultAccountId(), a.via(), a.groupId());
        }
    }

    public record AttributeView(String account, String name, List<String> values) {
    }

    /** Body of {@code PUT /accounts/{id}/attributes/{name}}. */
    public record AttributeValues(List<String> values) {
    }

    /** Body of {@code POST /vault-targets/{id}/resync}; both optional (null: the vault target's remembered name). */
    public record ResyncRequest(String associationAttribute, String groupAttribute) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ResyncView(String vaultTarget, String associationAttribute, String groupAttribute, int added,
                             int removed, int total) {
        static ResyncView of(ResyncResult r) {
            return new ResyncView(r.vaultTargetId(), r.associationAttr(), r.groupAttr(), r.added(), r.removed(), r.total());
        }
    }

    // ---------------------------------------------------------------- vault views as targets

    /**
     * {@code POST /targets} for the types {@code vault} and {@code vault-users}: views onto the vault, so they take
     * only {@code id} and {@code type}.
     */
    public Views.TargetView createViewTarget(JsonNode body, Principal by) {
        Body b = new Body(body, "id", "type");
        String id = b.id("id");
        String type = b.text("type", true);
        if (!VaultModel.isVaultView(type)) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'type': must be '" + VaultModel.VAULT_TARGET_TYPE
                    + "' or '" + VaultModel.USER_TARGET_TYPE + "' here");
        }
        if (targets.findTarget(id).isPresent()) {
            throw exists("target", id);
        }
        boolean created = type.equals(VaultModel.VAULT_TARGET_TYPE)
                ? templates.ensureVaultTarget(by.actor(), id) : users.ensureUserTarget(by.actor(), id);
        if (!created) {
            throw exists("target", id);
        }
        return Views.TargetView.of(targets.findTarget(id).orElseThrow());
    }

    /** Whether a {@code POST /targets} body declares a vault view (its {@code type} is vault or vault-users). */
    public static boolean declaresViewTarget(JsonNode body) {
        JsonNode type = body.get("type");
        return type != null && type.isTextual() && VaultModel.isVaultView(type.asText());
    }

    // ---------------------------------------------------------------- users

    /** All users, or those of one vault user target, sorted by id. */
    public List<UserView> listUsers(String userTarget) {
        if (userTarget != null) {
            requireUserTarget(true, userTarget);
            return users.listUsers(userTarget).stream().map(UserView::of).toList();
        }
        List<UserView> all = new ArrayList<>();
        for (String target : viewTargets(VaultModel.USER_TARGET_TYPE)) {
            users.listUsers(target).forEach(u -> all.add(UserView.of(u)));
        }
        all.sort(Comparator.comparing(UserView::id));
        return all;
    }

    public UserView getUser(String id) {
        return UserView.of(user(id));
    }

    public UserView createUser(JsonNode body, Principal by) {
        VaultUser user = userBody(new Body(BodyCheck.checked("user", body, Mode.WHOLE), "id", "userTarget", "login",
                "displayName", "disabled"), null);
        if (!users.createUser(by.actor(), user)) {
            throw exists("user", user.id());
        }
        return getUser(user.id());
    }

    public UserView updateUser(String id, JsonNode body, Principal by) {
        VaultUser old = user(id);
        VaultUser user = userBody(new Body(BodyCheck.checked("user", body, Mode.PARTIAL), "id", "userTarget", "login",
                "displayName", "disabled"), old);
        users.upsertUser(by.actor(), user);
        return getUser(id);
    }

    public void deleteUser(String id, Principal by) {
        if (!users.deleteUser(by.actor(), pathId(id))) {
            throw unknown("user", id);
        }
    }

    public List<GroupView> groupsOf(String id) {
        user(id);
        return groups.groupsOf(id).stream().map(GroupView::of).toList();
    }

    public List<AccessView> accessOf(String id) {
        user(id);
        return access.accessOf(id).stream().map(AccessView::of).toList();
    }

    /** The body of a user; {@code old} is the user being replaced (PUT) or null (POST). */
    private VaultUser userBody(Body b, VaultUser old) {
        String id = old == null ? b.id("id") : b.pathId(old.id());
        String userTarget = b.text("userTarget", old == null);
        if (old != null && userTarget != null && !userTarget.equals(old.userTargetId())) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'userTarget': cannot be changed (user '" + old.id()
                    + "' is on user target '" + old.userTargetId() + "'); leave it out or give that id");
        }
        String login = b.text("login", true);
        String displayName = b.text("displayName", false);
        boolean disabled = b.bool("disabled", false);
        if (old == null) {
            requireUserTarget(false, userTarget);
        }
        return new VaultUser(id, old == null ? userTarget : old.userTargetId(), login, displayName, disabled);
    }

    // ---------------------------------------------------------------- groups

    public List<GroupView> listGroups(String userTarget) {
        if (userTarget != null) {
            requireUserTarget(true, userTarget);
            return groups.listGroups(userTarget).stream().map(GroupView::of).toList();
        }
        List<GroupView> all = new ArrayList<>();
        for (String target : viewTargets(VaultModel.USER_TARGET_TYPE)) {
            groups.listGroups(target).forEach(g -> all.add(GroupView.of(g)));
        }
        all.sort(Comparator.comparing(GroupView::id));
        return all;
    }

    public GroupView getGroup(String id) {
        return GroupView.of(group(id));
    }

    public GroupView createGroup(JsonNode body, Principal by) {
        Body b = new Body(BodyCheck.checked("group", body, Mode.WHOLE), "id", "userTarget", "name");
        String id = b.id("id");
        String userTarget = b.text("userTarget", true);
        String name = b.text("name", true);
        requireUserTarget(false, userTarget);
        // an id taken on another user target is ALREADY_EXISTS too (the store would say CONFLICT)
        if (groups.findGroup(id).isPresent() || !groups.createGroupIfMissing(by.actor(), userTarget, id, name)) {
            throw exists("user group", id);
        }
        return getGroup(id);
    }

    /** Replaces the group's name; {@code id} and {@code userTarget}, if given, must be the group's. */
    public GroupView updateGroup(String id, JsonNode body, Principal by) {
        UserGroup old = group(id);
        Body b = new Body(BodyCheck.checked("group", body, Mode.PARTIAL), "id", "userTarget", "name");
        b.pathId(id);
        String userTarget = b.text("userTarget", false);
        if (userTarget != null && !userTarget.equals(old.userTargetId())) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'userTarget': cannot be changed (user group '" + id
                    + "' is on user target '" + old.userTargetId() + "'); leave it out or give that id");
        }
        String name = b.text("name", true);
        groups.renameGroup(by.actor(), id, name);
        return getGroup(id);
    }

    public void deleteGroup(String id, Principal by) {
        if (!groups.deleteGroup(by.actor(), pathId(id))) {
            throw unknown("user group", id);
        }
    }

    public List<UserView> members(String id) {
        group(id);
        return groups.members(id).stream().map(UserView::of).toList();
    }

    /** @return true when the user was not a member before */
    public boolean addMember(String groupId, String userId, Principal by) {
        group(groupId);
        user(checkParameter("userId", userId));
        return groups.addMember(by.actor(), groupId, userId);
    }

    /** Removes a member; the access that came through this group for the user ends at once. */
    public void removeMember(String groupId, String userId, Principal by) {
        group(groupId);
        user(checkParameter("userId", userId));
        if (!groups.removeMemberAndAccess(by.actor(), groupId, userId)) {
            throw ApiException.notFound("user '" + userId + "' is not a member of user group '" + groupId + "'");
        }
    }

    // ---------------------------------------------------------------- templates

    public List<TemplateView> listTemplates() {
        return templates.listTemplates().stream().map(TemplateView::of).toList();
    }

    public TemplateView getTemplate(String id) {
        return TemplateView.of(template(id));
    }

    public TemplateView createTemplate(JsonNode body, Principal by) {
        VaultTemplate template = templateBody(new Body(BodyCheck.checked("template", body, Mode.WHOLE), "id",
                "vaultTarget", "namePattern", "attributes"), null);
        if (!templates.createTemplate(by.actor(), template)) {
            throw exists("template", template.id());
        }
        return getTemplate(template.id());
    }

    public TemplateView updateTemplate(String id, JsonNode body, Principal by) {
        template(id);
        VaultTemplate template = templateBody(new Body(BodyCheck.checked("template", body, Mode.PARTIAL), "id",
                "vaultTarget", "namePattern", "attributes"), id);
        templates.upsertTemplate(by.actor(), template);
        return getTemplate(id);
    }

    public void deleteTemplate(String id, Principal by) {
        if (!templates.deleteTemplate(by.actor(), pathId(id))) {
            throw unknown("template", id);
        }
    }

    private VaultTemplate templateBody(Body b, String pathId) {
        String id = pathId == null ? b.id("id") : b.pathId(pathId);
        String vaultTarget = b.text("vaultTarget", true);
        if (!ID.matcher(vaultTarget).matches()) {
            throw invalidId("vaultTarget");
        }
        String namePattern = b.text("namePattern", true);
        VaultTemplate.patternProblem(namePattern).ifPresent(problem -> {
            throw ApiException.badRequest("INVALID_FIELD", "field 'namePattern': " + problem);
        });
        Map<String, List<String>> attributes = b.attributes("attributes");
        Optional<Target> target = targets.findTarget(vaultTarget);
        if (target.isEmpty() || !VaultModel.VAULT_TARGET_TYPE.equals(target.get().type())) {
            throw ApiException.notFound("field 'vaultTarget': " + (target.isEmpty() ? "unknown vault target id '" + vaultTarget + "'"
                    : "'" + vaultTarget + "' is a target of type '" + target.get().type() + "', not a vault target (type '"
                    + VaultModel.VAULT_TARGET_TYPE + "')"));
        }
        return new VaultTemplate(id, vaultTarget, namePattern, attributes);
    }

    // ---------------------------------------------------------------- account attributes

    public Map<String, List<String>> attributes(String accountId) {
        return attributes.attributes(account(accountId));
    }

    public AttributeView setAttribute(String accountId, String name, JsonNode body, Principal by) {
        account(accountId);
        checkParameter("name", name);
        Body b = new Body(body, "values");
        List<String> values = b.textList("values", true);
        attributes.setAttribute(by.actor(), accountId, name, values);
        return new AttributeView(accountId, name, attributes.attribute(accountId, name));
    }

    public void deleteAttribute(String accountId, String name, Principal by) {
        account(accountId);
        checkParameter("name", name);
        if (!attributes.setAttribute(by.actor(), accountId, name, List.of())) {
            throw ApiException.notFound("account '" + accountId + "' has no attribute '" + name + "'");
        }
    }

    // ---------------------------------------------------------------- access rebuild

    /** Recomputes the access rows of one vault target. An absent or empty body uses the remembered names. */
    public ResyncView resync(String vaultTarget, JsonNode body, Principal by) {
        checkParameter("id", vaultTarget);
        String association = null;
        String group = null;
        if (body != null) {
            Body b = new Body(body, "associationAttribute", "groupAttribute");
            association = b.text("associationAttribute", false);
            group = b.text("groupAttribute", false);
                for (String[] field : new String[][]{{"associationAttribute", association}, {"groupAttribute", group}}) {
                if (field[1] != null && !ID.matcher(field[1]).matches()) {
                    throw invalidId(field[0]);
                }
            }
            if (association != null && association.equals(group)) {
                throw ApiException.badRequest("INVALID_FIELD", "field 'groupAttribute': must differ from associationAttribute");
            }
        }
        Optional<Target> target = targets.findTarget(vaultTarget);
        if (target.isEmpty() || !VaultModel.VAULT_TARGET_TYPE.equals(target.get().type())) {
            throw ApiException.notFound(target.isEmpty() ? "unknown vault target id '" + vaultTarget + "'"
                    : "'" + vaultTarget + "' is a target of type '" + target.get().type() + "', not a vault target");
        }
        return ResyncView.of(access.resync(by.actor(), vaultTarget, association, group));
    }

    // ---------------------------------------------------------------- store refusals as API errors

    /**
     * The store's refusals as API errors, with the store's field names turned into the API's ({@code user.login}
     * becomes {@code login}, {@code userTargetId} becomes {@code userTarget}); null for anything else.
     */
    static ApiException translate(Throwable failure) {
        if (failure instanceof InvalidFieldException invalid) {
            String field = invalid.field();
            String problem = invalid.getMessage().startsWith(field + " ")
                    ? invalid.getMessage().substring(field.length() + 1) : invalid.getMessage();
            return ApiException.badRequest("INVALID_FIELD", "field '" + apiField(field) + "': " + problem);
        }
        if (failure instanceof UnknownEntryException unknown) {
            return ApiException.notFound(unknown.getMessage());
        }
        if (failure instanceof ConflictException conflict) {
            return ApiException.conflict("CONFLICT", conflict.getMessage());
        }
        return null;
    }

    static String apiField(String storeField) {
        String field = storeField.replaceFirst("^(user|template)\\.", "");
        field = field.replaceFirst("^attributes ", "attributes.");
        field = field.replaceAll("TargetId\\b", "Target").replaceAll("Attr\\b", "Attribute");
        return field;
    }

    // ---------------------------------------------------------------- helpers

    private List<String> viewTargets(String type) {
        return targets.listTargets().stream().filter(t -> type.equals(t.type())).map(Target::id).sorted().toList();
    }

    /** 404 naming the field when the id is not a vault user target; a malformed query parameter is a 400. */
    private void requireUserTarget(boolean parameter, String id) {
        String what = parameter ? "parameter 'userTarget'" : "field 'userTarget'";
        if (!ID.matcher(id).matches()) {
            throw parameter ? ApiException.badRequest("INVALID_PARAMETER", what + ": must match " + Ids.ID_REGEX)
                    : invalidId("userTarget");
        }
        Optional<Target> target = targets.findTarget(id);
        if (target.isEmpty()) {
            throw ApiException.notFound(what + ": unknown vault user target id '" + id + "'");
        }
        if (!VaultModel.USER_TARGET_TYPE.equals(target.get().type())) {
            throw ApiException.notFound(what + ": '" + id + "' is a target of type '" + target.get().type()
                    + "', not a vault user target (type '" + VaultModel.USER_TARGET_TYPE + "')");
        }
    }

    private VaultUser user(String id) {
        return users.findUser(pathId(id)).orElseThrow(() -> unknown("user", id));
    }

    private UserGroup group(String id) {
        return groups.findGroup(pathId(id)).orElseThrow(() -> unknown("user group", id));
    }

    private VaultTemplate template(String id) {
        return templates.findTemplate(pathId(id)).orElseThrow(() -> unknown("template", id));
    }

    private String account(String id) {
        accounts.findAccount(pathId(id)).orElseThrow(() -> unknown("account", id));
        return id;
    }

    private static String pathId(String id) {
        return checkParameter("id", id);
    }

    static String checkParameter(String name, String value) {
        if (value == null || !ID.matcher(value).matches()) {
            throw ApiException.badRequest("INVALID_PARAMETER", "parameter '" + name + "': must match " + Ids.ID_REGEX);
        }
        return value;
    }

    private static ApiException unknown(String kind, String id) {
        return ApiException.notFound("unknown " + kind + " id '" + id + "'");
    }

    private static ApiException exists(String kind, String id) {
        return ApiException.conflict("ALREADY_EXISTS", "field 'id': " + kind + " '" + id + "' already exists; use PUT to change it");
    }

    private static ApiException invalidId(String field) {
        // the value is not echoed: it may hold line breaks
        return ApiException.badRequest("INVALID_FIELD", "field '" + field + "': must match " + Ids.ID_REGEX
                + " (1 to 128 letters, digits, _ . -, starting with a letter or digit)");
    }

    /**
     * Reads one JSON object's fields strictly: a field the resource does not have is {@code 400 UNKNOWN_FIELD}
     * (named, with the known ones), a field of the wrong JSON type {@code 400 INVALID_FIELD}. A JSON null counts as
     * left out.
     */
    static final class Body {
        private final JsonNode node;
        private final List<String> known;

        Body(JsonNode node, String... known) {
            this.node = node;
            this.known = List.of(known);
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!this.known.contains(name)) {
                    String shown = name.length() > 64 || !name.matches("[\\x21-\\x7e]*") ? "(unprintable or too long)" : name;
                    throw ApiException.badRequest("UNKNOWN_FIELD", "field '" + shown + "': unknown field (known fields: "
                            + String.join(", ", known) + ")");
                }
            }
        }

        private JsonNode get(String field) {
            JsonNode value = node.get(field);
            return value == null || value.isNull() ? null : value;
        }

        String text(String field, boolean required) {
            JsonNode value = get(field);
            if (value == null) {
                if (required) {
                    throw ApiException.badRequest("INVALID_FIELD", "field '" + field + "': is required");
                }
                return null;
            }
            if (!value.isTextual()) {
                throw ApiException.badRequest("INVALID_FIELD", "field '" + field + "': must be a string");
            }
            String text = value.asText();
            if (required && text.isBlank()) {
                throw ApiException.badRequest("INVALID_FIELD", "field '" + field + "': must not be blank");
            }
            return text;
        }

        String id(String field) {
            String id = text(field, true);
            if (!ID.matcher(id).matches()) {
                throw invalidId(field);
            }
            return id;
        }

        /** PUT: the body's id, if given, must be the path's. */
        String pathId(String id) {
            JsonNode given = get("id");
            if (given != null && !(given.isTextual() && given.asText().equals(id))) {
                throw ApiException.badRequest("INVALID_FIELD", "field 'id': must be the id in the path ('" + id + "') or left out");
            }
            return id;
        }

        boolean bool(String field, boolean otherwise) {
            JsonNode value = get(field);
            if (value == null) {
                return otherwise;
            }
            if (!value.isBoolean()) {
                throw ApiException.badRequest("INVALID_FIELD", "field '" + field + "': must be true or false");
            }
            return value.booleanValue();
        }

        List<String> textList(String field, boolean required) {
            JsonNode value = get(field);
            if (value == null) {
                if (required) {
                    throw ApiException.badRequest("INVALID_FIELD", "field '" + field + "': is required (an empty list removes it)");
                }
                return List.of();
            }
            if (!value.isArray()) {
                throw ApiException.badRequest("INVALID_FIELD", "field '" + field + "': must be a list of strings");
            }
            List<String> values = new ArrayList<>();
            for (int i = 0; i < value.size(); i++) {
                JsonNode item = value.get(i);
                if (!item.isTextual()) {
                    throw ApiException.badRequest("INVALID_FIELD", "field '" + field + "[" + i + "]': must be a string");
                }
                values.add(item.asText());
            }
            return values;
        }

        /** {@code {"name": ["v1", "v2"]}}; names are ids. */
        Map<String, List<String>> attributes(String field) {
            JsonNode value = get(field);
            Map<String, List<String>> attributes = new LinkedHashMap<>();
            if (value == null) {
                return attributes;
            }
            if (!value.isObject()) {
                throw ApiException.badRequest("INVALID_FIELD", "field '" + field + "': must be an object of"
                        + " attribute name to a list of values");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!ID.matcher(e.getKey()).matches()) {
                    throw ApiException.badRequest("INVALID_FIELD", "field '" + field + "': attribute names must match "
                            + Ids.ID_REGEX);
                }
                if (!e.getValue().isArray()) {
                    throw ApiException.badRequest("INVALID_FIELD", "field '" + field + "." + e.getKey()
                            + "': must be a list of strings");
                }
                List<String> values = new ArrayList<>();
                for (int i = 0; i < e.getValue().size(); i++) {
                    JsonNode item = e.getValue().get(i);
                    if (!item.isTextual()) {
                        throw ApiException.badRequest("INVALID_FIELD", "field '" + field + "." + e.getKey() + "[" + i
                                + "]': must be a string");
                    }
                    values.add(item.asText());
                }
                attributes.put(e.getKey(), values);
            }
            return attributes;
        }

    }
}
