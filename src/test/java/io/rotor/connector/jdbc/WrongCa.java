package io.rotor.connector.jdbc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A freshly made self-signed CA certificate (PEM) that signed nothing the test servers present. */
final class WrongCa {
    private WrongCa() {
    }

    static Path create(Path dir) throws IOException, InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Path store = dir.resolve("wrong-ca.p12");
        Path pem = dir.resolve("wrong-ca.crt");
        // a throwaway keystore: its store password protects nothing
        run(List.of(keytool.toString(), "-genkeypair", "-alias", "wrong", "-keyalg", "RSA", "-keysize", "2048",
                "-dname", "CN=Rotor IT wrong CA", "-ext", "bc:c", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", "throwaway", "-keypass", "throwaway"));
        run(List.of(keytool.toString(), "-exportcert", "-rfc", "-alias", "wrong", "-keystore", store.toString(),
                "-storepass", "throwaway", "-file", pem.toString()));
        if (!Files.readString(pem).contains("BEGIN CERTIFICATE")) {
            throw new IOException("keytool did not write a PEM certificate");
        }
        return pem;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IOException("keytool failed: " + output);
        }
    }
}
