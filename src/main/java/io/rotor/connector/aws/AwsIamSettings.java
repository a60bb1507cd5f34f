package io.rotor.connector.aws;

import io.rotor.domain.Target;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The settings of an {@code aws-iam} target, checked when the connector is made (the same rules as
 * {@code schema/connectors/aws-iam.json}; every error names the setting).
 *
 * @param credential       what the target's accounts hold: console passwords or access keys
 * @param endpoint         IAM endpoint override (moto, a VPC endpoint), null for AWS's own
 * @param stsEndpoint      STS endpoint override, null for AWS's regional one; defaults to {@code endpoint} when that is set
 * @param region           the STS signing region; IAM always signs for its partition's global region
 * @param adminAccessKeyId when set, the admin credential must carry this key id
 */
record AwsIamSettings(Credential credential, URI endpoint, URI stsEndpoint, String region, Duration connectTimeout,
                      Duration readTimeout, Duration keyPropagation, boolean passwordResetRequired,
                      String adminAccessKeyId) {

    enum Credential { CONSOLE_PASSWORD, ACCESS_KEY }

    static final Pattern REGION = Pattern.compile("aws-global|[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");
    static final Pattern ENDPOINT = Pattern.compile("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?");

    static AwsIamSettings of(Target target) {
        Credential credential = switch (target.setting("credential", "console-password")) {
            case "console-password" -> Credential.CONSOLE_PASSWORD;
            case "access-key" -> Credential.ACCESS_KEY;
            default -> throw bad("credential", "must be console-password or access-key");
        };
        URI endpoint = endpoint(target, "endpoint");
        URI sts = endpoint(target, "stsEndpoint");
        String region = target.setting("region", "us-east-1");
        if (!REGION.matcher(region).matches()) {
            throw bad("region", "must be an AWS region such as us-east-1 or eu-central-1 (lower case, dashes, a number at the end)");
        }
        String keyId = target.settings().get("adminAccessKeyId");
        if (keyId != null && !AccessKey.KEY_ID.matcher(keyId).matches()) {
            throw bad("adminAccessKeyId", "must be AKIA or ASIA followed by 16 upper-case letters or digits");
        }
        return new AwsIamSettings(credential, endpoint, sts != null ? sts : endpoint, region,
                seconds(target, "connectTimeoutSeconds", 10, 1), seconds(target, "readTimeoutSeconds", 30, 1),
                seconds(target, "keyPropagationSeconds", 15, 0),
                bool(target, "passwordResetRequired"), keyId);
    }

    private static URI endpoint(Target target, String key) {
        String value = target.settings().get(key);
        if (value == null) {
            return null;
        }
        if (!ENDPOINT.matcher(value).matches()) {
            throw bad(key, "must be an http(s) URL of a host and an optional port, e.g. https://iam.amazonaws.com");
        }
        try {
            URI uri = new URI(value);
            if ("http".equals(uri.getScheme()) && !loopback(uri.getHost())) {
                // a console password travels in the request body: in clear over http
                throw bad(key, "may use http:// only on loopback (127.0.0.1, ::1, localhost); use https://");
            }
            if (uri.getPort() > 65535) {
                throw bad(key, "has a port above 65535");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw bad(key, "must be an http(s) URL of a host and an optional port");
        }
    }

    private static boolean loopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1");
    }

    private static Duration seconds(Target target, String key, int fallback, int minimum) {
        String value = target.settings().get(key);
        if (value == null) {
            return Duration.ofSeconds(fallback);
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n < minimum || n > 3600) {
                throw bad(key, "must be a whole number of seconds from " + minimum + " to 3600");
            }
            return Duration.ofSeconds(n);
        } catch (NumberFormatException e) {
            throw bad(key, "must be a whole number of seconds from " + minimum + " to 3600");
        }
    }

    private static boolean bool(Target target, String key) {
        String value = target.setting(key, "false");
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw bad(key, "must be true or false");
        };
    }

    private static IllegalArgumentException bad(String key, String rule) {
        return new IllegalArgumentException("aws-iam setting '" + key + "' " + rule);
    }
}
