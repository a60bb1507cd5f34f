package io.rotor.cluster;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

import java.net.URI;

/**
 * The RabbitMQ connection of a cluster node (bean {@code rotorRabbit}): the URL from {@code rotor.cluster.rabbitmq-url}
 * (user, host, port, vhost) and the password only from the environment ({@code ROTOR_RABBITMQ_PASSWORD}), so it is
 * never in a file, a URI or a log.
 */
public final class Broker {
    private Broker() {
    }

    public static CachingConnectionFactory connectionFactory(ClusterSettings settings, String password) {
        URI url = URI.create(settings.rabbitmqUrl());
        CachingConnectionFactory factory = new CachingConnectionFactory(url.getHost(), url.getPort() < 0
                ? ("amqps".equals(url.getScheme()) ? 5671 : 5672) : url.getPort());
        String user = url.getUserInfo();
        String username = user == null || user.isBlank() ? "guest" : user;
        if ((password == null || password.isEmpty()) && !"guest".equals(username)) {
            throw new IllegalArgumentException("rotor.cluster.rabbitmq-url names user '" + username
                    + "': set its password in ROTOR_RABBITMQ_PASSWORD");
        }
        factory.setUsername(username);
        // RabbitMQ's own loopback-only default account when no password is given
        factory.setPassword(password == null || password.isEmpty() ? "guest" : password);
        String path = url.getPath();
        factory.setVirtualHost(path == null || path.length() <= 1 ? "/" : java.net.URLDecoder.decode(path.substring(1),
                java.nio.charset.StandardCharsets.UTF_8));
        if ("amqps".equals(url.getScheme())) {
            try {
                factory.getRabbitConnectionFactory().useSslProtocol(javax.net.ssl.SSLContext.getDefault());
                factory.getRabbitConnectionFactory().enableHostnameVerification();
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("no TLS for rotor.cluster.rabbitmq-url: " + e.getMessage(), e);
            }
        }
        factory.setConnectionNameStrategy(f -> "rotor-" + settings.nodeId());
        return factory;
    }
}
