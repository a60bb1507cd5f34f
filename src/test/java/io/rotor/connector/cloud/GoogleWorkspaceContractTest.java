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
import java.util.Set;

/**
 * The connector contract for {@code google-workspace}, against {@link GoogleTestServer}: a specification-driven
 * local HTTPS server, not the live service. The Directory API has no password check and no self-service change,
 * so verify is CONFIRMED and a self-change is refused; users are not discovered. Faults come from a
 * {@link FaultProxy} in front of the server; what reached the wire is what the server received.
 */
class GoogleWorkspaceContractTest extends ConnectorContract {
    static final String SERVICE_ACCOUNT = "rotor@rotor-test.iam.gserviceaccount.com";
    static final String ADMIN = "admin@example.test";

    private final GoogleTestServer server;
    private final String keyFile;

    GoogleWorkspaceContractTest() throws Exception {
        Path dir = Files.createTempDirectory("google-contract");
        server = new GoogleTestServer(dir);
        keyFile = server.addServiceAccount(SERVICE_ACCOUNT, Set.of(GoogleTestServer.USER_SCOPE));
        server.addAdmin(ADMIN);
    }

    @Override
    protected ConnectorFactory factory() {
        return new GoogleWorkspaceConnectorFactory();
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
        return new Target("gws", "google-workspace", host, port, null, TlsMode.VERIFY_FULL, null, null, Map.of(
                "subject", ADMIN, "tokenUri", base + "/token", "directoryEndpoint", base,
                "caFile", server.caFile().toString(), "timeoutSeconds", String.valueOf(TIMEOUT_SECONDS)));
    }

    @Override
    protected String newAccount(String tag, String password) {
        return server.addUser("contract_" + tag + "_" + runTag() + "@example.test", password);
    }

    @Override
    protected void removeAccounts() {
        server.close();
    }

    @Override
    protected Login admin() {
        return new Login(SERVICE_ACCOUNT, s(keyFile));
    }

    @Override
    protected boolean logsIn(String username, String password) {
        return server.logsIn(username, password);
    }

    @Override
    protected String passwordState(String username) {
        return server.passwordState(username);
    }

    /** Google refuses it: shorter than 8 characters (the connector refuses it before sending, as Google would). */
    @Override
    protected String rejectedCandidate() {
        return "S" + runTag();
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
