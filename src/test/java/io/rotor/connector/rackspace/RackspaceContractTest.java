package io.rotor.connector.rackspace;

import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.Login;
import io.rotor.connector.https.AdminOnlyHttpsContract;
import io.rotor.connector.https.SpecHttpsServer;
import io.rotor.connector.https.TestTls;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;

import java.io.IOException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The connector contract against {@link RackspaceTestServer}, a specification-driven test server (not the live
 * service). Verification is a real login there; the admin is a user-admin of the accounts' domain.
 */
class RackspaceContractTest extends AdminOnlyHttpsContract {
    static final String ADMIN = "rotor-admin";
    static final String ADMIN_PASSWORD = "Adm1n-" + HexFormat.of().formatHex(randomBytes(8));

    private final RackspaceTestServer server;
    private final String prefix = "contract-" + runTag() + "-";

    RackspaceContractTest() throws IOException {
        server = new RackspaceTestServer();
        server.addUser(ADMIN, "dom1", true, ADMIN_PASSWORD, HexFormat.of().formatHex(randomBytes(16)));
    }

    @Override
    protected SpecHttpsServer server() {
        return server;
    }

    @Override
    protected ConnectorFactory factory() {
        return new RackspaceConnectorFactory();
    }

    @Override
    protected Target target(String host, int port) {
        return new Target("rs", "rackspace", host, port, null, TlsMode.VERIFY_FULL, "rs-admin", null,
                Map.of("trustStore", TestTls.server().pem().toString(),
                        "connectTimeoutSeconds", String.valueOf(TIMEOUT_SECONDS), "requestTimeoutSeconds", String.valueOf(TIMEOUT_SECONDS)));
    }

    @Override
    protected String newAccount(String tag, String password) {
        String name = prefix + tag + "-" + runTag();
        server.addUser(name, "dom1", false, password, HexFormat.of().formatHex(randomBytes(16)));
        return name;
    }

    @Override
    protected void removeAccounts() {
        server.removeUsers(prefix);
        server.close();
    }

    @Override
    protected Login admin() {
        return new Login(ADMIN, s(ADMIN_PASSWORD));
    }

    @Override
    protected boolean logsIn(String username, String password) {
        return server.logsIn(username, password);
    }

    @Override
    protected String passwordState(String username) {
        RackspaceTestServer.User user = server.user(username);
        return user == null ? null : user.password;
    }

    @Override
    protected String rejectedCandidate() {
        return "no-upper-case-9"; // the rule wants an upper-case letter, a lower-case letter and a digit
    }

    @Override
    protected boolean discovers() {
        return false;
    }
}
