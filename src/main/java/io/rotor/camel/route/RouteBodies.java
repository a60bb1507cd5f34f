package io.rotor.camel.route;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.rotor.domain.Secret;
import org.apache.camel.Exchange;
import org.apache.camel.TypeConversionException;
import org.apache.camel.spi.TypeConverterRegistry;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.camel.support.TypeConverterSupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Bean {@code rotorRouteBodies}: renders a request body that carries secrets, for a route connector's route
 * (docs/architecture.md, "Route connectors"). The fields name where each value comes from: {@code secret:current},
 * {@code secret:new}, {@code secret:admin} (the contract's Secret properties) or a header name, e.g.
 *
 * <pre>
 * - bean:
 *     ref: rotorRouteBodies
 *     method: "json(${exchange}, 'username=RotorUsername, newPassword=secret:new')"
 * </pre>
 *
 * The body becomes a {@link SecretBody} (printed as a mask) and {@code Content-Type} is set. The secret's
 * characters go from the {@link Secret} into the body's bytes without becoming a String.
 */
public final class RouteBodies {
    private static final JsonFactory JSON = new JsonFactory();
    private static final Map<String, String> SECRETS = Map.of("current", RouteContract.CURRENT_SECRET,
            "new", RouteContract.NEW_SECRET, "admin", RouteContract.ADMIN_SECRET);

    /** A JSON object of the fields; values are strings. */
    public void json(Exchange exchange, String fields) {
        Map<String, Object> values = values(exchange, fields);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            for (Map.Entry<String, Object> field : values.entrySet()) {
                g.writeFieldName(field.getKey());
                if (field.getValue() instanceof Secret secret) {
                    char[] chars = secret.chars();
                    try {
                        g.writeString(chars, 0, chars.length);
                    } finally {
                        Arrays.fill(chars, '\0');
                    }
                } else if (field.getValue() == null) {
                    g.writeNull();
                } else {
                    g.writeString(field.getValue().toString());
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot render the JSON body", e);
        }
        use(exchange, new SecretBody(out.toByteArray(), "application/json"));
    }

    /** An {@code application/x-www-form-urlencoded} body of the fields. */
    public void form(Exchange exchange, String fields) {
        Map<String, Object> values = values(exchange, fields);
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Object> field : values.entrySet()) {
            if (!text.isEmpty()) {
                text.append('&');
            }
            text.append(URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8)).append('=');
            Object value = field.getValue();
            if (value instanceof Secret secret) {
                // a form value must be percent-encoded; the encoded text lives only inside the builder below
                text.append(URLEncoder.encode(secret.reveal(), StandardCharsets.UTF_8));
            } else if (value != null) {
                text.append(URLEncoder.encode(value.toString(), StandardCharsets.UTF_8));
            }
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        text.setLength(0);
        use(exchange, new SecretBody(bytes, "application/x-www-form-urlencoded"));
    }

    /** {@code name=source, ...}: a source is secret:current|new|admin or a header name. */
    static Map<String, Object> values(Exchange exchange, String fields) {
        if (fields == null || fields.isBlank()) {
            throw new IllegalArgumentException("rotorRouteBodies: no fields given (name=source, ...)");
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (String part : fields.split(",")) {
            String[] pair = part.trim().split("=", 2);
            if (pair.length != 2 || pair[0].isBlank() || pair[1].isBlank()) {
                throw new IllegalArgumentException("rotorRouteBodies: field '" + part.trim()
                        + "' is not name=source (source: secret:current, secret:new, secret:admin or a header name)");
            }
            String name = pair[0].trim();
            String source = pair[1].trim();
            if (source.toLowerCase(Locale.ROOT).startsWith("secret:")) {
                String property = SECRETS.get(source.substring("secret:".length()).toLowerCase(Locale.ROOT));
                if (property == null) {
                    throw new IllegalArgumentException("rotorRouteBodies: field '" + name + "': unknown secret '" + source
                            + "' (secret:current, secret:new or secret:admin)");
                }
                Secret secret = exchange.getProperty(property, Secret.class);
                if (secret == null) {
                    throw new IllegalArgumentException("rotorRouteBodies: field '" + name + "': this call carries no "
                            + source + " (property " + property + ")");
                }
                values.put(name, secret);
            } else {
                values.put(name, exchange.getMessage().getHeader(source));
            }
        }
        return values;
    }

    private static void use(Exchange exchange, SecretBody body) {
        registerConverter(exchange.getContext().getTypeConverterRegistry());
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                body.wipe();
            }
        });
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, body.contentType());
        exchange.getMessage().setBody(body);
    }

    /** SecretBody → InputStream, so a producer can send it; no conversion to String or byte[] exists. */
    static void registerConverter(TypeConverterRegistry registry) {
        if (registry.lookup(InputStream.class, SecretBody.class) != null) {
            return;
        }
        registry.addTypeConverter(InputStream.class, SecretBody.class, new TypeConverterSupport() {
            @Override
            public <T> T convertTo(Class<T> type, Exchange exchange, Object value) throws TypeConversionException {
                return type.cast(((SecretBody) value).openStream());
            }
        });
    }
}
