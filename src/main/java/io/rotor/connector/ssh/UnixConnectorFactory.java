package io.rotor.connector.ssh;

/** Type {@code unix}: the same connector as {@code ssh}. */
public class UnixConnectorFactory extends SshConnectorFactory {
    @Override
    public String type() {
        return "unix";
    }
}
