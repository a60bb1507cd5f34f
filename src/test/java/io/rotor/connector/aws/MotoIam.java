package io.rotor.connector.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.connector.Login;
import io.rotor.domain.Secret;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKeyMetadata;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.sts.StsClient;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The moto server that {@code scripts/targets/moto.sh} runs (signature checking on), seen from the tests, outside
 * the connector: its own SDK clients signed with the admin key from {@code moto-admin.secret}, and moto's state API
 * ({@code /moto-api/data.json}) as the only way to read a console password back — IAM has no password sign-in, so
 * "logs in with this password" here means "moto stores exactly this password".
 */
final class MotoIam implements AutoCloseable {
    static final String NOT_RUNNING = "moto is not running: start it with scripts/targets/moto.sh start (or scripts/targets.sh start)";
    private static final ObjectMapper JSON = new ObjectMapper();

    final String host;
    final int port;
    final String adminUser;
    private final char[] adminKey;
    final IamClient iam;

    private MotoIam(Map<String, String> env, char[] adminKey) {
        this.host = env.get("MOTO_HOST");
        this.port = Integer.parseInt(env.get("MOTO_PORT"));
        this.adminUser = env.get("MOTO_ADMIN_USER");
        this.adminKey = adminKey;
        this.iam = iam(new String(adminKey));
    }

    static MotoIam load() {
        String home = System.getenv("ROTOR_IT_HOME");
        Path dir = Path.of(home == null || home.isBlank() ? "/tmp/rotor-it" : home);
        try {
            Map<String, String> env = new HashMap<>();
            for (Path f : List.of(dir.resolve("targets.env"), dir.resolve("moto.env"))) {
                if (Files.isRegularFile(f)) {
                    for (String line : Files.readAllLines(f)) {
                        int eq = line.indexOf('=');
                        if (line.startsWith("MOTO_") && eq > 0) {
                            env.put(line.substring(0, eq), line.substring(eq + 1));
                        }
                    }
                }
            }
            if (!env.containsKey("MOTO_PORT") || !env.containsKey("MOTO_ADMIN_KEY_FILE")) {
                throw new IllegalStateException(NOT_RUNNING);
            }
            char[] key = Files.readString(Path.of(env.get("MOTO_ADMIN_KEY_FILE")), StandardCharsets.US_ASCII).trim().toCharArray();
            return new MotoIam(env, key);
        } catch (IOException e) {
            throw new IllegalStateException(NOT_RUNNING + " (" + e.getMessage() + ")", e);
        }
    }

    String endpoint() {
        return "http://" + host + ":" + port;
    }

    Login admin() {
        return new Login(adminUser, Secret.of(adminKey.clone()));
    }

    /** An IAM client signed with {@code key} ({@code AKIA...:secret}). */
    IamClient iam(String key) {
        int colon = key.indexOf(':');
        return IamClient.builder().region(Region.AWS_GLOBAL).endpointOverride(URI.create(endpoint()))
                .httpClient(ApacheHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(key.substring(0, colon), key.substring(colon + 1)))).build();
    }

    /** Whether moto accepts a request signed with {@code key}: STS GetCallerIdentity, outside the connector. */
    boolean signs(String key) {
        int colon = key.indexOf(':');
        try (StsClient sts = StsClient.builder().region(Region.US_EAST_1).endpointOverride(URI.create(endpoint()))
                .httpClient(ApacheHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(key.substring(0, colon), key.substring(colon + 1)))).build()) {
            sts.getCallerIdentity();
            return true;
        } catch (SdkServiceException e) {
            if (e.statusCode() == 403) {
                return false;
            }
            throw e;
        }
    }

    /** The console password moto stores for {@code user} (null: none), read from moto's state API. */
    String storedPassword(String user) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(endpoint() + "/moto-api/data.json"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("moto's state API answered HTTP " + r.statusCode()
                    + " (a deleted IAM user breaks it in moto 5.2: restart moto with scripts/targets/moto.sh stop and start)");
        }
        for (JsonNode u : JSON.readTree(r.body()).path("iam").path("User")) {
            if (user.equals(u.path("name").asText())) {
                return u.path("password").isNull() ? null : u.path("password").asText();
            }
        }
        return null;
    }

    List<AccessKeyMetadata> keys(String user) {
        return iam.listAccessKeys(r -> r.userName(user)).accessKeyMetadata();
    }

    /** Creates a key for {@code user} and returns it as {@code AKIA...:secret}. */
    String newKey(String user) {
        var k = iam.createAccessKey(r -> r.userName(user)).accessKey();
        return k.accessKeyId() + ":" + k.secretAccessKey();
    }

    /**
     * Takes the console passwords, keys and inline policies of the users named {@code prefix*}, and leaves the users:
     * moto 5.2 keeps a deleted user in the registry its state API reads, whose {@code data.json} then fails on it
     * (NoSuchEntity), which would blind {@link #storedPassword} for the rest of the server's life. The server keeps its
     * state in memory only.
     */
    void removeUsers(String prefix) {
        for (var u : iam.listUsers().users()) {
            if (!u.userName().startsWith(prefix)) {
                continue;
            }
            try {
                iam.deleteLoginProfile(r -> r.userName(u.userName()));
            } catch (NoSuchEntityException ignored) {
                // had no console password
            }
            for (AccessKeyMetadata k : keys(u.userName())) {
                iam.deleteAccessKey(r -> r.userName(u.userName()).accessKeyId(k.accessKeyId()));
            }
            for (String p : iam.listUserPolicies(r -> r.userName(u.userName())).policyNames()) {
                iam.deleteUserPolicy(r -> r.userName(u.userName()).policyName(p));
            }
        }
    }

    @Override
    public void close() {
        iam.close();
        java.util.Arrays.fill(adminKey, '\0');
    }
}
