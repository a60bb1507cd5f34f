package io.rotor.connector;

import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.workflow.FakeTarget;

import java.util.Map;

/**
 * The in-memory target the protocol's unit tests use passes the same contract as the real connectors, so that
 * what those tests assume of a connector is what the real ones do. Its network faults are modelled by
 * {@link FakeTarget#fault} instead of a proxy.
 */
class InMemoryContractTest extends ConnectorContract {
    private final FakeTarget fake = new FakeTarget();

    InMemoryContractTest() {
        fake.passwords.put("admin", "admin-secret");
    }

    @Override
    protected ConnectorFactory factory() {
        return fake;
    }

    @Override
    protected String host() {
        return "in-memory";
    }

    @Override
    protected int port() {
        return 0;
    }

    /** The fake waits out a silent target's timeout for real; one second keeps the unit test quick. */
    @Override
    protected Target target(String host, int port) {
        return new Target("fake", "fake", host, port, null, TlsMode.DISABLE, null, null, Map.of("timeoutSeconds", "1"));
    }

    @Override
    protected String newAccount(String tag, String password) {
        String user = "contract_" + tag + "_" + runTag();
        fake.passwords.put(user, password);
        return user;
    }

    @Override
    protected void removeAccounts() {
        fake.passwords.keySet().removeIf(u -> u.startsWith("contract_"));
    }

    @Override
    protected Login admin() {
        return new Login("admin", s("admin-secret"));
    }

    @Override
    protected boolean logsIn(String username, String password) {
        return password.equals(fake.passwords.get(username));
    }

    @Override
    protected String passwordState(String username) {
        return fake.passwords.get(username);
    }

    @Override
    protected String rejectedCandidate() {
        fake.rejectNextChanges = 2; // the self and the admin attempt of the case
        return candidate();
    }

    @Override
    protected Wire wire(FaultProxy.Mode mode, String username) {
        fake.fault = mode;
        int mark = fake.wire.length();
        Target target = target("in-memory", 0);
        return new Wire() {
            @Override
            public Target target() {
                return target;
            }

            @Override
            public boolean sent(String value) {
                return fake.wire.substring(mark).contains(value);
            }

            @Override
            public boolean faultHit() {
                return true; // the fake plays the fault on every call while it is set
            }

            @Override
            public void close() {
                fake.fault = FaultProxy.Mode.PASS;
            }
        };
    }
}
