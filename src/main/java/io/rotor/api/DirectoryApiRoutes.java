package io.rotor.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestBindingMode;
import org.apache.camel.model.rest.RestParamType;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The vault's directory under {@code /api/v1} (same rest configuration as {@link ApiRoutes}): users, user groups and
 * their members, vault-account templates, account attributes and the access rebuild of a vault target. Every REST
 * verb hands off to a {@code direct:} route that starts with the authentication and permission check, then calls
 * {@link DirectoryApi}. Reads need {@link Permission#READ_INVENTORY} (admin, operator, auditor: the directory holds
 * no secret); writes need {@link Permission#WRITE_INVENTORY} (admin). The store audits every write.
 *
 * <p>Beans it needs from the registry: {@code apiAuthenticator}, {@code apiDirectory}.
 */
public class DirectoryApiRoutes extends RouteBuilder {

    @Override
    public void configure() {
        Supplier<Authenticator> auth = bean("apiAuthenticator", Authenticator.class);
        Supplier<DirectoryApi> dir = bean("apiDirectory", DirectoryApi.class);

        restConfiguration()
                .component("platform-http")
                .contextPath(ApiRoutes.CONTEXT_PATH)
                .bindingMode(RestBindingMode.off)
                .apiContextPath("/openapi.json");

        onException(Exception.class).handled(true).process(DirectoryApiRoutes::error);

        // ---- users
        rest("/users").description("Users of the vault user targets (directory)")
                .get().id("rest-list-users").description("Users sorted by id, all or of one vault user target")
                .param().name("userTarget").type(RestParamType.query).required(false)
                .description("only this vault user target").endParam()
                .outType(DirectoryApi.UserView[].class).to("direct:api-list-users")
                .post().id("rest-create-user")
                .description("Create a user: id, userTarget (a vault-users target), login (unique on it), displayName,"
                        + " disabled (admin)")
                .type(DirectoryApi.UserView.class).outType(DirectoryApi.UserView.class).to("direct:api-create-user")
                .get("/{id}").id("rest-get-user").description("One user")
                .outType(DirectoryApi.UserView.class).to("direct:api-get-user")
                .put("/{id}").id("rest-update-user")
                .description("Replace a user's login, displayName and disabled; userTarget cannot change (admin)")
                .type(DirectoryApi.UserView.class).outType(DirectoryApi.UserView.class).to("direct:api-update-user")
                .delete("/{id}").id("rest-delete-user")
                .description("Delete a user with its memberships and access; 409 IN_USE while an attribute of a vault"
                        + " account names it (admin)")
                .to("direct:api-delete-user")
                .get("/{id}/groups").id("rest-user-groups").description("The groups the user is a member of")
                .outType(DirectoryApi.GroupView[].class).to("direct:api-user-groups")
                .get("/{id}/access").id("rest-user-access")
                .description("The vault accounts the user may use and via what (association or group:<id>), as of the"
                        + " last resync; empty for a disabled user")
                .outType(DirectoryApi.AccessView[].class).to("direct:api-user-access");

        read("list-users", auth, e -> dir.get().listUsers(query(e, "userTarget")));
        read("get-user", auth, e -> dir.get().getUser(id(e)));
        write("create-user", auth, 201, e -> dir.get().createUser(body(e), principal(e)));
        write("update-user", auth, 200, e -> dir.get().updateUser(id(e), body(e), principal(e)));
        delete("delete-user", auth, e -> dir.get().deleteUser(id(e), principal(e)));
        read("user-groups", auth, e -> dir.get().groupsOf(id(e)));
        read("user-access", auth, e -> dir.get().accessOf(id(e)));

        // ---- groups and members
        rest("/groups").description("User groups of the vault user targets (directory)")
                .get().id("rest-list-groups").description("Groups sorted by id, all or of one vault user target")
                .param().name("userTarget").type(RestParamType.query).required(false)
                .description("only this vault user target").endParam()
                .outType(DirectoryApi.GroupView[].class).to("direct:api-list-groups")
                .post().id("rest-create-group").description("Create a group: id, userTarget, name (admin)")
                .type(DirectoryApi.GroupView.class).outType(DirectoryApi.GroupView.class).to("direct:api-create-group")
                .get("/{id}").id("rest-get-group").description("One group")
                .outType(DirectoryApi.GroupView.class).to("direct:api-get-group")
                .put("/{id}").id("rest-update-group").description("Rename a group; userTarget cannot change (admin)")
                .type(DirectoryApi.GroupView.class).outType(DirectoryApi.GroupView.class).to("direct:api-update-group")
                .delete("/{id}").id("rest-delete-group")
                .description("Delete a group, its memberships and the access that came through it (admin)")
                .to("direct:api-delete-group")
                .get("/{id}/members").id("rest-group-members").description("The members, sorted by id")
                .outType(DirectoryApi.UserView[].class).to("direct:api-group-members")
                .put("/{id}/members/{userId}").id("rest-add-group-member")
                .description("Add a user of the same user target: 201 when added, 200 when already a member;"
                        + " access follows at the next resync (admin)")
                .param().name("userId").type(RestParamType.path).description("user id").endParam()
                .to("direct:api-add-group-member")
                .delete("/{id}/members/{userId}").id("rest-remove-group-member")
                .description("Remove a member; the access that came through this group ends at once (admin)")
                .param().name("userId").type(RestParamType.path).description("user id").endParam()
                .to("direct:api-remove-group-member");

        read("list-groups", auth, e -> dir.get().listGroups(query(e, "userTarget")));
        read("get-group", auth, e -> dir.get().getGroup(id(e)));
        write("create-group", auth, 201, e -> dir.get().createGroup(body(e), principal(e)));
        write("update-group", auth, 200, e -> dir.get().updateGroup(id(e), body(e), principal(e)));
        delete("delete-group", auth, e -> dir.get().deleteGroup(id(e), principal(e)));
        read("group-members", auth, e -> dir.get().members(id(e)));
        from("direct:api-add-group-member").routeId("api-add-group-member")
                .process(ApiRoutes.guard(auth, Permission.WRITE_INVENTORY))
                .process(e -> {
                    String groupId = id(e);
                    String userId = e.getIn().getHeader("userId", String.class);
                    boolean added = dir.get().addMember(groupId, userId, principal(e));
                    ApiReplies.json(e, added ? 201 : 200, dir.get().members(groupId));
                });
        delete("remove-group-member", auth,
                e -> dir.get().removeMember(id(e), e.getIn().getHeader("userId", String.class), principal(e)));

        // ---- templates
        rest("/templates").description("Templates vault accounts are created from (directory)")
                .get().id("rest-list-templates").description("Templates sorted by id")
                .outType(DirectoryApi.TemplateView[].class).to("direct:api-list-templates")
                .post().id("rest-create-template")
                .description("Create a template: id, vaultTarget (a vault target), namePattern ({target} {username}"
                        + " {account}), attributes {name: [values]} (admin)")
                .type(DirectoryApi.TemplateView.class).outType(DirectoryApi.TemplateView.class)
                .to("direct:api-create-template")
                .get("/{id}").id("rest-get-template").description("One template")
                .outType(DirectoryApi.TemplateView.class).to("direct:api-get-template")
                .put("/{id}").id("rest-update-template")
                .description("Replace a template; vault accounts made from it do not change (admin)")
                .type(DirectoryApi.TemplateView.class).outType(DirectoryApi.TemplateView.class)
                .to("direct:api-update-template")
                .delete("/{id}").id("rest-delete-template")
                .description("Delete a template; vault accounts made from it stay (admin)")
                .to("direct:api-delete-template");

        read("list-templates", auth, e -> dir.get().listTemplates());
        read("get-template", auth, e -> dir.get().getTemplate(id(e)));
        write("create-template", auth, 201, e -> dir.get().createTemplate(body(e), principal(e)));
        write("update-template", auth, 200, e -> dir.get().updateTemplate(id(e), body(e), principal(e)));
        delete("delete-template", auth, e -> dir.get().deleteTemplate(id(e), principal(e)));

        // ---- account attributes
        rest("/accounts").description("Attributes of an account (link, group, association...; never secrets)")
                .get("/{id}/attributes").id("rest-account-attributes")
                .description("All attributes: {name: [values]}, names and values sorted")
                .outType(java.util.Map.class).to("direct:api-account-attributes")
                .put("/{id}/attributes/{name}").id("rest-set-account-attribute")
                .description("Replace the values of one attribute ({\"values\": [...]}; empty removes it) (admin)")
                .param().name("name").type(RestParamType.path).description("attribute name").endParam()
                .type(DirectoryApi.AttributeValues.class).outType(DirectoryApi.AttributeView.class)
                .to("direct:api-set-account-attribute")
                .delete("/{id}/attributes/{name}").id("rest-delete-account-attribute")
                .description("Remove one attribute; 404 when the account has none of that name (admin)")
                .param().name("name").type(RestParamType.path).description("attribute name").endParam()
                .to("direct:api-delete-account-attribute");

        read("account-attributes", auth, e -> dir.get().attributes(id(e)));
        write("set-account-attribute", auth, 200,
                e -> dir.get().setAttribute(id(e), e.getIn().getHeader("name", String.class), body(e), principal(e)));
        delete("delete-account-attribute", auth,
                e -> dir.get().deleteAttribute(id(e), e.getIn().getHeader("name", String.class), principal(e)));

        // ---- access rebuild
        rest("/vault-targets").description("Vault targets: access rebuild (vault discovery)")
                .post("/{id}/resync").id("rest-resync-vault-target")
                .description("Recompute who may use the vault target's accounts. Body (optional): associationAttribute,"
                        + " groupAttribute; a name left out is the one the vault target remembers from its last resync"
                        + " (admin)")
                .type(DirectoryApi.ResyncRequest.class).outType(DirectoryApi.ResyncView.class)
                .to("direct:api-resync-vault-target");
        write("resync-vault-target", auth, 200, e -> dir.get().resync(id(e), optionalBody(e), principal(e)));
    }

    // ---------------------------------------------------------------- route shapes

    private void read(String name, Supplier<Authenticator> auth, Function<Exchange, Object> answer) {
        from("direct:api-" + name).routeId("api-" + name)
                .process(ApiRoutes.guard(auth, Permission.READ_INVENTORY))
                .process(e -> ApiReplies.json(e, 200, answer.apply(e)));
    }

    private void write(String name, Supplier<Authenticator> auth, int status, Function<Exchange, Object> answer) {
        from("direct:api-" + name).routeId("api-" + name)
                .process(ApiRoutes.guard(auth, Permission.WRITE_INVENTORY))
                .process(e -> ApiReplies.json(e, status, answer.apply(e)));
    }

    private void delete(String name, Supplier<Authenticator> auth, Processor action) {
        from("direct:api-" + name).routeId("api-" + name)
                .process(ApiRoutes.guard(auth, Permission.WRITE_INVENTORY))
                .process(action)
                .process(ApiReplies::noContent);
    }

    /** The store's refusals (unknown entry, conflict, invalid field) with the API's codes; the rest as in ApiRoutes. */
    static void error(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ApiException directory = DirectoryApi.translate(failure);
        if (directory != null) {
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT, directory);
        }
        ApiReplies.error(exchange);
    }

    // ---------------------------------------------------------------- request parts

    private static String id(Exchange e) {
        return e.getIn().getHeader("id", String.class);
    }

    private static String query(Exchange e, String name) {
        String value = e.getIn().getHeader(name, String.class);
        return value == null || value.isEmpty() ? null : value;
    }

    private static JsonNode body(Exchange e) {
        ApiJson.requireJson(e.getIn().getHeader(Exchange.CONTENT_TYPE, String.class));
        return ApiJson.readObject(e.getIn().getBody(byte[].class));
    }

    /** The body, or null when none was sent. */
    private static JsonNode optionalBody(Exchange e) {
        byte[] bytes = e.getIn().getBody(byte[].class); // read once: the body may be a stream
        if (bytes == null || bytes.length == 0) {
            return null;
        }
        ApiJson.requireJson(e.getIn().getHeader(Exchange.CONTENT_TYPE, String.class));
        return ApiJson.readObject(bytes);
    }

    private static Principal principal(Exchange e) {
        return AccountApi.principal(e);
    }

    private <T> Supplier<T> bean(String name, Class<T> type) {
        return () -> {
            T bean = getContext().getRegistry().lookupByNameAndType(name, type);
            if (bean == null) {
                throw new IllegalStateException("the API needs the bean '" + name + "' (" + type.getSimpleName() + ")");
            }
            return bean;
        };
    }
}
