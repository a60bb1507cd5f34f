package io.rotor.connector.cloud;

import io.rotor.connector.ConnectorContract;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.FaultProxy;
import io.rotor.connector.Login;
import io.rotor.connector.VerificationKind;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The connector contract for {@code entra-id}, against {@link EntraTestServer}: a specification-driven local HTTPS
 * server, not the live service. Graph has no password login and no app-only self-change, so verify is CONFIRMED
 * and a self-change is refused; users are not discovered. Faults come from a {@link FaultProxy} in front of the
 * server; what reached the wire is what the server received.
 */
class EntraIdContractTest extends ConnectorContract {
    private final Path dir;
    private final EntraTestServer server;
    private final String adminSecret = "Adm1n~" + runTag() + "-secret";
    private final String appId;

    EntraIdContractTest() throws Exception {
        dir = Files.createTempDirectory("entra-contract");
        server = new EntraTestServer(dir);
        appId = server.addApp(adminSecret, true);
    }

    @Override
    protected ConnectorFactory factory() {
        return new EntraIdConnectorFactory();
    }

    @Override
    protected String host() {
        return "127.0.0.1";
    }

    @Override
    protected int port() {
        return server.port();
    }

    @Override
    protected Target target(String host, int port) {
        String base = "https://" + host + ":" + port;
        return new Target("entra", "entra-id", host, port, null, TlsMode.VERIFY_FULL, null, null, Map.of(
                "tenantId", server.tenantId, "scope", EntraTestServer.GRAPH_SCOPE, "loginEndpoint", base,
                "graphEndpoint", base + "/v1.0", "caFile", server.caFile().toString(),
                "timeoutSeconds", String.valueOf(TIMEOUT_SECONDS)));
    }

    @Override
    protected String newAccount(String tag, String password) {
        return server.addUser("contract_" + tag + "_" + runTag() + "@contoso.test", password);
    }

    @Override
    protected void removeAccounts() {
        server.close();
    }

    @Override
    protected Login admin() {
        return new Login(appId, s(adminSecret));
    }

    @Override
    protected boolean logsIn(String username, String password) {
        return server.logsIn(username, password);
    }

    @Override
    protected String passwordState(String username) {
        return server.passwordState(username);
    }

    /** Graph refuses it: two character classes only. */
    @Override
    protected String rejectedCandidate() {
        return "alllowercase" + runTag();
    }

    @Override
    protected boolean discovers() {
        return false;
    }

    @Override
    protected boolean selfChanges() {
        return false;
    }

    @Override
    protected VerificationKind verificationKind() {
        return VerificationKind.CONFIRMED;
    }

    @Override
    protected Wire wire(FaultProxy.Mode mode, String username) throws Exception {
        Wire proxied = super.wire(mode, username);
        return new Wire() {
            @Override
            public Target target() {
                return proxied.target();
            }

            /** TLS hides the bytes from the proxy: what counts is whether the server received the value. */
            @Override
            public boolean sent(String value) {
                return server.received(value);
            }

            @Override
            public boolean faultHit() {
                return proxied.faultHit();
            }

            @Override
            public void close() {
                proxied.close();
            }
        };
    }
}
