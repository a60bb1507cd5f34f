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

    /**
     * Declares the topology (idempotent, the same on every node): a durable direct exchange and a durable quorum
     * queue for the batches, whose rejected or too-often redelivered messages ({@code x-delivery-limit}) go to the
     * dead-letter exchange and its durable queue. Typed arguments, which a URI cannot carry.
     */
    public static void declare(ClusterSettings settings, org.springframework.amqp.rabbit.connection.ConnectionFactory factory) {
        org.springframework.amqp.rabbit.core.RabbitAdmin admin = new org.springframework.amqp.rabbit.core.RabbitAdmin(factory);
        org.springframework.amqp.core.DirectExchange jobs = new org.springframework.amqp.core.DirectExchange(settings.exchange(), true, false);
        org.springframework.amqp.core.DirectExchange dead = new org.springframework.amqp.core.DirectExchange(settings.exchange() + ".dead", true, false);
        org.springframework.amqp.core.Queue batches = org.springframework.amqp.core.QueueBuilder.durable(settings.queue()).quorum()
                .deliveryLimit(DELIVERY_LIMIT).deadLetterExchange(dead.getName()).deadLetterRoutingKey(ROUTING_KEY).build();
        org.springframework.amqp.core.Queue deadLetters = org.springframework.amqp.core.QueueBuilder.durable(settings.deadLetterQueue())
                .quorum().build();
        admin.declareExchange(jobs);
        admin.declareExchange(dead);
        admin.declareQueue(batches);
        admin.declareQueue(deadLetters);
        admin.declareBinding(org.springframework.amqp.core.BindingBuilder.bind(batches).to(jobs).with(ROUTING_KEY));
        admin.declareBinding(org.springframework.amqp.core.BindingBuilder.bind(deadLetters).to(dead).with(ROUTING_KEY));
    }

    public static final String ROUTING_KEY = "batch";
    /** A batch redelivered this often (it keeps killing its nodes) goes to the dead-letter queue. */
    public static final int DELIVERY_LIMIT = 10;
}
