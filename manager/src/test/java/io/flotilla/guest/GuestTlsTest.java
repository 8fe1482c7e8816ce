package io.flotilla.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flotilla.config.GuestTlsConfig;
import io.flotilla.config.JobOutputsConfig;
import io.flotilla.config.SiteConfig.GuestApiConfig;
import io.flotilla.credentials.CredentialException;
import io.flotilla.credentials.CredentialIssuer;
import io.flotilla.credentials.OpenSslPki;
import io.flotilla.credentials.TraceabilityLog;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineSpecs;
import io.flotilla.state.MachineState;
import io.flotilla.state.MachineStore;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guest API over HTTPS, read by clients that trust only a grid CA directory (OpenSSL
 * hashed layout), as DIRAC's reader does with Python's urllib and {@code capath}.
 */
@ExtendWith(VertxExtension.class)
class GuestTlsTest {
  private static final MachineSpecs SPEC = new MachineSpecs(8, 16384, 0, 86_400, 600, 300);

  @TempDir static Path dir;
  static OpenSslPki pki;
  static Path caDir;
  static Path otherCaDir;
  static Path serverCert;
  static Path serverKey;

  @TempDir Path logDir;
  private TraceabilityLog traceability;
  private String root;

  @BeforeAll
  static void makePki() throws Exception {
    pki = OpenSslPki.create(dir);
    pki.write("server.ext", "basicConstraints=CA:FALSE\n"
        + "keyUsage=critical,digitalSignature,keyEncipherment\n"
        + "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n");
    pki.run("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key",
        "-out", "server.csr", "-subj", "/DC=org/DC=flotilla-test/CN=127.0.0.1");
    pki.run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "5", "-extfile", "server.ext", "-out", "server.pem");
    serverCert = dir.resolve("server.pem");
    serverKey = dir.resolve("server.key");
    caDir = hashedDirectory("certificates", pki.caCertificate());
    pki.run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key",
        "-out", "other-ca.pem", "-days", "5", "-subj", "/CN=Other CA");
    otherCaDir = hashedDirectory("other-certificates", dir.resolve("other-ca.pem"));
  }

  @BeforeEach
  void start(Vertx vertx, VertxTestContext context) {
    traceability = new TraceabilityLog(logDir.resolve("credentials.jsonl"));
    MachineStore store = new MachineStore(new ConcurrentHashMap<>());
    String token = GuestTokens.newToken();
    Instant now = Instant.now();
    store.insert(MachineRecord.requested("m-1", "atlas", "sandbox", "img-1", SPEC,
            GuestTokens.hash(token), now.minusSeconds(60))
        .moveTo(MachineState.CREATING, now, "create").withCloudId("i-1", now)
        .moveTo(MachineState.RUNNING, now, "test"));
    GuestApiConfig guest = new GuestApiConfig("127.0.0.1", 0, "https://127.0.0.1",
        Optional.of(new GuestTlsConfig(serverCert, serverKey)), JobOutputsConfig.defaults());
    CredentialIssuer issuer = new CredentialIssuer(Map.of(), traceability, Clock.systemUTC());
    vertx.createHttpServer(GuestServer.options(guest, Clock.systemUTC()))
        .requestHandler(GuestApi.router(vertx, store, issuer, Clock.systemUTC()))
        .listen(0, "127.0.0.1")
        .onComplete(context.succeeding(server -> {
          root = "https://127.0.0.1:" + server.actualPort() + "/machines/m-1/" + token;
          context.completeNow();
        }));
  }

  @AfterEach
  void close() throws Exception {
    traceability.close();
  }

  @Test
  void pythonUrllib_trustingOnlyTheCaDirectory_readsAFeature() throws Exception {
    Result result = run(List.of("/usr/bin/python3", "-c", "import ssl, sys, urllib.request\n"
        + "context = ssl.create_default_context(capath=sys.argv[2])\n"
        + "print(urllib.request.urlopen(sys.argv[1], context=context).read().decode())",
        root + "/machinefeatures/total_cpu", caDir.toString()));

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output().strip()).isEqualTo("8");
  }

  @Test
  void curl_withCapath_readsAFeature_andRefusesWithAnotherCa() throws Exception {
    Result trusted = run(List.of("curl", "-sS", "--capath", caDir.toString(),
        root + "/jobfeatures/allocated_cpu"));
    Result untrusted = run(List.of("curl", "-sS", "--capath", otherCaDir.toString(),
        root + "/jobfeatures/allocated_cpu"));

    assertThat(trusted.exitCode()).as(trusted.output()).isZero();
    assertThat(trusted.output()).isEqualTo("8");
    assertThat(untrusted.exitCode()).isEqualTo(60);
  }

  @Test
  void options_withKeyOfAnotherCertificate_refusesNamingTheSetting() {
    GuestApiConfig guest = new GuestApiConfig("127.0.0.1", 0, "https://127.0.0.1",
        Optional.of(new GuestTlsConfig(serverCert, dir.resolve("ca.key"))),
        JobOutputsConfig.defaults());

    assertThatThrownBy(() -> GuestServer.options(guest, Clock.systemUTC()))
        .isInstanceOf(CredentialException.class)
        .hasMessageStartingWith("guest_api.tls: key file " + dir.resolve("ca.key")
            + ": the private key does not match the certificate in " + serverCert);
  }

  @Test
  void options_withUnreadableCertificate_refusesNamingTheFile() {
    Path missing = dir.resolve("missing.pem");
    GuestApiConfig guest = new GuestApiConfig("127.0.0.1", 0, "https://127.0.0.1",
        Optional.of(new GuestTlsConfig(missing, serverKey)), JobOutputsConfig.defaults());

    assertThatThrownBy(() -> GuestServer.options(guest, Clock.systemUTC()))
        .isInstanceOf(CredentialException.class)
        .hasMessage("guest_api.tls: certificate file " + missing
            + ": cannot read: no such file");
  }

  private static Path hashedDirectory(String name, Path caCertificate) throws Exception {
    Path directory = Files.createDirectories(dir.resolve(name));
    String hash = pki.run("x509", "-in", caCertificate.toString(), "-noout", "-hash").strip();
    Files.copy(caCertificate, directory.resolve(hash + ".0"));
    return directory;
  }

  record Result(int exitCode, String output) {}

  static Result run(List<String> command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(command.get(0) + " timed out");
    }
    return new Result(process.exitValue(), output);
  }
}
