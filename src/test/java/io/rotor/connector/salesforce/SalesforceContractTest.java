package io.rotor.connector.salesforce;

import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.Login;
import io.rotor.connector.https.AdminOnlyHttpsContract;
import io.rotor.connector.https.SpecHttpsServer;
import io.rotor.connector.https.TestTls;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The connector contract against {@link SalesforceTestServer}, a specification-driven test server (not the live
 * service). Accounts are User ids; the admin is the connected app.
 */
class SalesforceContractTest extends AdminOnlyHttpsContract {
    static final String CLIENT_ID = "3MVG9rotorTestConsumerKey";
    static final String CLIENT_SECRET = "Cs-" + HexFormat.of().formatHex(randomBytes(16));

    private final SalesforceTestServer server;

    SalesforceContractTest() throws IOException {
        server = new SalesforceTestServer(CLIENT_ID, CLIENT_SECRET);
    }

    @Override
    protected SpecHttpsServer server() {
        return server;
    }

    @Override
    protected ConnectorFactory factory() {
        return new SalesforceConnectorFactory();
    }

    @Override
    protected Target target(String host, int port) {
        return new Target("sf", "salesforce", host, port, null, TlsMode.VERIFY_FULL, "sf-app", null,
                Map.of("trustStore", TestTls.server().pem().toString(), "apiVersion", "v64.0",
                        "connectTimeoutSeconds", String.valueOf(TIMEOUT_SECONDS), "requestTimeoutSeconds", String.valueOf(TIMEOUT_SECONDS)));
    }

    @Override
    protected String newAccount(String tag, String password) {
        String id = "005" + HexFormat.of().formatHex(randomBytes(6)).toUpperCase();
        server.addUser(id, password, true);
        return id;
    }

    @Override
    protected void removeAccounts() {
        server.removeUsers();
        server.close();
    }

    @Override
    protected Login admin() {
        return new Login(CLIENT_ID, s(CLIENT_SECRET));
    }

    @Override
    protected boolean logsIn(String username, String password) {
        return server.logsIn(username, password);
    }

    @Override
    protected String passwordState(String username) {
        return server.passwordState(username);
    }

    @Override
    protected String rejectedCandidate() {
        return "onlyletters"; // INVALID_NEW_PASSWORD: the org's policy wants letters and digits
    }

    @Override
    protected boolean discovers() {
        return false;
    }

    @Test
    @Override
    public void verifyTellsTheRightSecretFromAWrongOne() {
        Assumptions.abort("Salesforce offers no password login check for users (verification is CONFIRMED through the"
                + " admin API); SalesforceConnectorTest shows verify of the connected app's own secret, which is a real login");
    }
}
