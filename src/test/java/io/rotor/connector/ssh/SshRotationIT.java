package io.rotor.connector.ssh;

import io.rotor.connector.ConnectorContext;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.ConnectorRegistry;
import io.rotor.connector.TargetConnector;
import io.rotor.domain.AccountStatus;
import io.rotor.domain.CredentialType;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.it.RealTargets;
import io.rotor.vault.MasterKey;
import io.rotor.vault.StoredCredential;
import io.rotor.vault.Vault;
import io.rotor.workflow.OperationResult;
import io.rotor.workflow.OperationResult.Outcome;
import io.rotor.workflow.RotationService;
import io.rotor.workflow.RotorMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static io.rotor.connector.ssh.ChangerStep.expected;
import static io.rotor.connector.ssh.ChangerStep.input;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rotations through the real protocol (RotationService on a real vault in a temp dir) on the real sshd:
 * the vault ends with what really logs in, a dialogue that breaks ends where the protocol says, and no
 * secret ever shows up in a process's command line.
 */
class SshRotationIT {
    /** Like the self changer, but the final marker never comes: the password did change, the engine cannot know. */
    static final PasswordChanger LOSES_THE_END = new PasswordChanger("t1", PasswordChanger.Type.CHANGE, "passwd, end lost",
            PasswordChanger.Transport.SSH, 60, null, List.of(
            input("LC_ALL=C passwd; echo rotor-rc=$?"),
            expected("(?i)current password: ?"), input("%%account_secret%%"),
            expected("(?i)new password: ?"), input("%%account_new_secret%%"),
            expected("(?i)retype new password: ?"), input("%%account_new_secret%%"),
            expected("never-printed-marker")), false, false, false, null, null);
    /** The first prompt never comes. */
    static final PasswordChanger NO_PROMPT = new PasswordChanger("t2", PasswordChanger.Type.CHANGE, "no prompt",
            PasswordChanger.Transport.SSH, 60, null, List.of(
            input("echo hello"), expected("(?i)current password: ?"), input("%%account_secret%%"),
            expected("(?i)new password: ?"), input("%%account_new_secret%%")), false, false, false, null, null);

    @TempDir
    Path dataDir;

    RealTargets.Ssh ssh;
    SshLogins logins;
    Vault vault;
    RotationService rotation;
    ConnectorRegistry registry;

    @BeforeEach
    void open() {
        ssh = RealTargets.load().ssh();
        logins = new SshLogins(ssh.host(), ssh.port(), ssh.knownHosts());
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 4);
        registry = new ConnectorRegistry();
        registry.register(new ConnectorFactory() {
            @Override
            public String type() {
                return "ssh-test";
            }

            @Override
            public TargetConnector create(Target target, ConnectorContext context) {
                return new SshConnector(target, name -> name.equals(LOSES_THE_END.name()) ? LOSES_THE_END
                        : name.equals(NO_PROMPT.name()) ? NO_PROMPT : BuiltinChangers.get(name));
            }
        });
        rotation = new RotationService(vault, registry, new PasswordGenerator(), new RotorMetrics(), Duration.ofMinutes(5), 3);
    }

    @AfterEach
    void close() throws Exception {
        registry.close();
        vault.close();
        logins.close();
    }

    Target target(String id, String type, String adminAccount, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of("knownHosts", ssh.knownHosts().toString(), "stepTimeoutSeconds", "5"));
        settings.putAll(extra);
        Target t = new Target(id, type, ssh.host(), ssh.port(), null, TlsMode.DISABLE, adminAccount, null, settings);
        vault.targets().upsertTarget(t);
        return t;
    }

    String account(String id, String target, String user, char[] password) {
        vault.accounts().upsertAccount(id, target, user, CredentialType.PASSWORD, null);
        rotation.set(id, Secret.of(password.clone()), true, "test");
        return id;
    }

    String stored(String id, Slot slot) {
        return vault.credentials().read(id, slot).map(c -> {
            try (StoredCredential credential = c) {
                return credential.secret().reveal();
            }
        }).orElse(null);
    }

    char[] freshOld(String user) throws Exception {
        char[] old = ("Old-" + Long.toHexString(System.nanoTime())).toCharArray();
        ssh.setPassword(user, old);
        return old;
    }

    @Test
    void selfAndSudoRotationsCommitWhatReallyLogsInAndNoSecretIsOnAnyCommandLine() throws Exception {
        target("ssh-self", "ssh", null, Map.of());
        target("ssh-sudo", "ssh", "ssh-admin", Map.of("adminMethod", "sudo"));
        account("ssh-admin", "ssh-sudo", ssh.adminUser(), ssh.adminPassword());
        String self = ssh.users().get(0);
        String viaSudo = ssh.users().get(1);
        char[] oldSelf = freshOld(self);
        char[] oldSudo = freshOld(viaSudo);
        account("a-self", "ssh-self", self, oldSelf);
        account("a-sudo", "ssh-sudo", viaSudo, oldSudo);

        Set<String> cmdlines = ConcurrentHashMap.newKeySet();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (running.get()) {
                cmdlines.addAll(sampleCmdlines());
            }
        });
        sampler.start();
        List<OperationResult> results = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                results.add(rotation.rotate("a-self", "it"));
                results.add(rotation.rotate("a-sudo", "it"));
            }
        } finally {
            running.set(false);
            sampler.join();
        }
        assertThat(results).extracting(OperationResult::outcome).containsOnly(Outcome.SUCCEEDED);
        for (String[] a : new String[][]{{"a-self", self}, {"a-sudo", viaSudo}}) {
            String current = stored(a[0], Slot.CURRENT);
            String previous = stored(a[0], Slot.PREVIOUS);
            assertThat(logins.login(a[1], current.toCharArray())).as("CURRENT logs in").isTrue();
            assertThat(logins.login(a[1], previous.toCharArray())).as("PREVIOUS is refused").isFalse();
            assertThat(vault.accounts().findAccount(a[0]).orElseThrow().status()).isEqualTo(AccountStatus.IN_SYNC);
        }
        assertThat(logins.login(self, oldSelf)).isFalse();
        assertThat(logins.login(viaSudo, oldSudo)).isFalse();

        assertThat(cmdlines).as("the sampler saw the password commands run").anyMatch(c -> c.contains("chpasswd"));
        List<String> secrets = new ArrayList<>(List.of(new String(oldSelf), new String(oldSudo), new String(ssh.adminPassword()),
                stored("a-self", Slot.CURRENT), stored("a-sudo", Slot.CURRENT)));
        for (String secret : secrets) {
            assertThat(cmdlines).as("no command line holds a secret").noneMatch(c -> c.contains(secret));
        }
    }

    @Test
    void aPromptThatNeverComesLeavesCurrentAndTheOldPasswordInPlace() throws Exception {
        target("ssh-np", "ssh-test", null, Map.of("changer", NO_PROMPT.name(), "stepTimeoutSeconds", "1"));
        String user = ssh.users().get(2);
        char[] old = freshOld(user);
        account("a-np", "ssh-np", user, old);

        OperationResult r = rotation.rotate("a-np", "it");

        assertThat(r.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(r.detail()).contains("step 2: expected /(?i)current password: ?/ not seen within 1 s");
        assertThat(stored("a-np", Slot.CURRENT)).isEqualTo(new String(old));
        assertThat(vault.credentials().has("a-np", Slot.PENDING)).isFalse();
        assertThat(logins.login(user, old)).isTrue();
    }

    @Test
    void aDialogueThatLosesItsEndAfterTheNewSecretIsRecoveredForward() throws Exception {
        target("ssh-lost", "ssh-test", null, Map.of("changer", LOSES_THE_END.name(), "stepTimeoutSeconds", "2"));
        String user = ssh.users().get(4);
        char[] old = freshOld(user);
        account("a-lost", "ssh-lost", user, old);

        OperationResult r = rotation.rotate("a-lost", "it");

        assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.RECOVERED_FORWARD);
        String current = stored("a-lost", Slot.CURRENT);
        assertThat(current).isNotEqualTo(new String(old));
        assertThat(vault.credentials().has("a-lost", Slot.PENDING)).isFalse();
        assertThat(logins.login(user, current.toCharArray())).isTrue();
        assertThat(logins.login(user, old)).isFalse();
    }

    @Test
    void anSshKeyAccountRotatesItsKeyThroughTheProtocol() throws Exception {
        target("ssh-key", "ssh", null, Map.of("keyType", "ecdsa-sha2-nistp256"));
        String user = ssh.users().get(6);
        java.security.KeyPair old = SshKeys.generate("ed25519");
        ssh.setAuthorizedKeys(user, SshKeys.publicLine(old) + " old\n", "700");
        vault.accounts().upsertAccount("a-key", "ssh-key", user, CredentialType.SSH_KEY, null);
        rotation.set("a-key", SshKeys.toSecret(old), true, "test");

        OperationResult r = rotation.rotate("a-key", "it");

        assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.SUCCEEDED);
        java.security.KeyPair current = SshKeys.fromSecret(Secret.of(stored("a-key", Slot.CURRENT).toCharArray()));
        java.security.KeyPair previous = SshKeys.fromSecret(Secret.of(stored("a-key", Slot.PREVIOUS).toCharArray()));
        assertThat(current.getPublic().getAlgorithm()).isEqualTo("EC");
        assertThat(SshKeys.publicLine(previous)).isEqualTo(SshKeys.publicLine(old));
        assertThat(vault.credentials().has("a-key", Slot.PENDING)).isFalse();
        assertThat(logins.login(user, current)).as("CURRENT key logs in").isTrue();
        assertThat(logins.login(user, old)).as("PREVIOUS key is refused").isFalse();
        ssh.setAuthorizedKeys(user, "", "700");
    }

    static List<String> sampleCmdlines() {
        List<String> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(p -> {
                try {
                    byte[] b = Files.readAllBytes(p.resolve("cmdline"));
                    if (b.length > 0) {
                        out.add(new String(b, StandardCharsets.UTF_8).replace('\0', ' '));
                    }
                } catch (IOException e) {
                    // the process ended
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
