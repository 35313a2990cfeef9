package io.losswatch.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate authority, a broker key store it signed (CN and SAN localhost,
 * 127.0.0.1), a trust store holding that CA, and a trust store holding an unrelated CA instead: made
 * with the JDK's own keytool at test time, so nothing secret is checked in. PKCS12 throughout, EC
 * keys (fast to generate), valid for a week; each password is random.
 */
record TestCertificates(Path brokerKeyStore, String brokerKeyStorePassword, Path trustStore, String trustStorePassword,
                        Path untrustedTrustStore) {

    static TestCertificates create(Path dir) throws IOException, InterruptedException {
        String caPassword = randomPassword("ca");
        String keyStorePassword = randomPassword("ks");
        String trustStorePassword = randomPassword("ts");
        Path ca = dir.resolve("ca.p12");
        Path caPem = dir.resolve("ca.pem");
        Path broker = dir.resolve("broker.p12");
        Path csr = dir.resolve("broker.csr");
        Path brokerPem = dir.resolve("broker.pem");
        Path trust = dir.resolve("truststore.p12");
        Path otherCa = dir.resolve("other-ca.p12");
        Path otherPem = dir.resolve("other-ca.pem");
        Path untrusted = dir.resolve("untrusted-truststore.p12");

        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "7",
                "-dname", "CN=losswatch test CA", "-ext", "bc:c", "-keystore", ca, "-storetype", "PKCS12",
                "-storepass", caPassword);
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca, "-storepass", caPassword, "-file", caPem);
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "7",
                "-dname", "CN=localhost", "-keystore", broker, "-storetype", "PKCS12", "-storepass", keyStorePassword);
        keytool("-certreq", "-alias", "broker", "-keystore", broker, "-storepass", keyStorePassword, "-file", csr);
        keytool("-gencert", "-alias", "ca", "-keystore", ca, "-storepass", caPassword, "-infile", csr,
                "-outfile", brokerPem, "-rfc", "-validity", "7", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-ext", "EKU=serverAuth");
        keytool("-importcert", "-alias", "ca", "-file", caPem, "-keystore", broker, "-storepass", keyStorePassword,
                "-noprompt");
        keytool("-importcert", "-alias", "broker", "-file", brokerPem, "-keystore", broker,
                "-storepass", keyStorePassword, "-noprompt");
        keytool("-importcert", "-alias", "ca", "-file", caPem, "-keystore", trust, "-storetype", "PKCS12",
                "-storepass", trustStorePassword, "-noprompt");
        // a CA that signed nothing here: a client trusting only it must refuse the broker
        keytool("-genkeypair", "-alias", "other", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "7",
                "-dname", "CN=some other CA", "-ext", "bc:c", "-keystore", otherCa, "-storetype", "PKCS12",
                "-storepass", caPassword);
        keytool("-exportcert", "-rfc", "-alias", "other", "-keystore", otherCa, "-storepass", caPassword,
                "-file", otherPem);
        keytool("-importcert", "-alias", "other", "-file", otherPem, "-keystore", untrusted, "-storetype", "PKCS12",
                "-storepass", trustStorePassword, "-noprompt");
        return new TestCertificates(broker, keyStorePassword, trust, trustStorePassword, untrusted);
    }

    static String randomPassword(String prefix) {
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        return prefix + "-" + HexFormat.of().formatHex(bytes);
    }

    private static void keytool(Object... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        for (Object a : args) {
            command.add(a.toString());
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("keytool " + args[0] + " failed: " + out);
        }
    }
}
