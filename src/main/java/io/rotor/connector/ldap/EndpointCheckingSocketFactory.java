package io.rotor.connector.ldap;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;

/**
 * Wraps a TLS socket factory so that every socket it makes checks the server's host name during the
 * handshake (JSSE endpoint identification, algorithm {@code LDAPS}: RFC 2818/6125 matching of the DNS names
 * and IP addresses in the certificate). Used for {@code verify-full}, for LDAPS and StartTLS alike.
 */
final class EndpointCheckingSocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory delegate;

    EndpointCheckingSocketFactory(SSLSocketFactory delegate) {
        this.delegate = delegate;
    }

    private Socket check(Socket socket) {
        if (socket instanceof SSLSocket ssl) {
            SSLParameters parameters = ssl.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("LDAPS");
            ssl.setSSLParameters(parameters);
        }
        return socket;
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return delegate.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
        return check(delegate.createSocket());
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        return check(delegate.createSocket(s, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return check(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return check(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return check(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return check(delegate.createSocket(address, port, localAddress, localPort));
    }
}
