package io.flotilla.credentials;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away PKI made with the {@code openssl} command in a test directory: a CA and robot
 * certificates signed by it, as a VO would obtain them. Using the real tool keeps the tests
 * honest about the PEM flavours OpenSSL writes.
 */
public final class OpenSslPki {
  public static final String CA_SUBJECT = "/DC=org/DC=flotilla-test/CN=Flotilla Test CA";
  public static final String ROBOT_SUBJECT =
      "/DC=org/DC=flotilla-test/O=Robots/CN=Robot: atlas pilot";

  private final Path dir;

  private OpenSslPki(Path dir) {
    this.dir = dir;
  }

  /** Creates the CA in {@code dir}. */
  public static OpenSslPki create(Path dir) {
    OpenSslPki pki = new OpenSslPki(dir);
    pki.run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
        "-out", "ca.pem", "-days", "30", "-subj", CA_SUBJECT,
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    pki.write("robot.ext", "basicConstraints=CA:FALSE\n"
        + "keyUsage=critical,digitalSignature,keyEncipherment\n"
        + "extendedKeyUsage=clientAuth\n");
    return pki;
  }

  public Path dir() {
    return dir;
  }

  public Path caCertificate() {
    return dir.resolve("ca.pem");
  }

  /**
   * A robot certificate valid for {@code days} from now, with an RSA key written as PKCS#8
   * (OpenSSL 3's default): files {@code <name>.pem} and {@code <name>.key}.
   */
  public Path[] rsaRobot(String name, int days) {
    run("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key",
        "-out", name + ".csr", "-subj", ROBOT_SUBJECT);
    return signRobot(name, days);
  }

  /** A robot certificate with a P-256 key in SEC 1 form, preceded by EC PARAMETERS. */
  public Path[] ecRobot(String name, int days) {
    run("ecparam", "-name", "prime256v1", "-genkey", "-out", name + ".key");
    run("req", "-new", "-key", name + ".key", "-out", name + ".csr", "-subj", ROBOT_SUBJECT);
    return signRobot(name, days);
  }

  /** Rewrites an RSA key as PKCS#1 ({@code BEGIN RSA PRIVATE KEY}). */
  public Path pkcs1Copy(Path key, String name) {
    run("rsa", "-in", key.toString(), "-traditional", "-out", name);
    return dir.resolve(name);
  }

  /** An encrypted copy of a key. */
  public Path encryptedCopy(Path key, String name) {
    run("pkey", "-in", key.toString(), "-aes256", "-passout", "pass:secret", "-out", name);
    return dir.resolve(name);
  }

  /** A file with the certificate followed by the CA certificate. */
  public Path withChain(Path certificate, String name) {
    try {
      String text = Files.readString(certificate) + Files.readString(caCertificate());
      return write(name, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path write(String name, String text) {
    try {
      return Files.writeString(dir.resolve(name), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path write(String name, byte[] bytes) {
    try {
      return Files.write(dir.resolve(name), bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code openssl} in the PKI directory and returns its combined output. */
  public String run(String... arguments) {
    Result result = tryRun(arguments);
    if (result.exitCode() != 0) {
      throw new IllegalStateException("openssl " + String.join(" ", arguments)
          + " failed with " + result.exitCode() + ": " + result.output());
    }
    return result.output();
  }

  /** Runs {@code openssl} and returns its exit code and combined output, failing or not. */
  public Result tryRun(String... arguments) {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(arguments));
    try {
      Process process = new ProcessBuilder(command).directory(dir.toFile())
          .redirectErrorStream(true).start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(),
          StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("openssl " + arguments[0] + " timed out");
      }
      return new Result(process.exitValue(), output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running openssl", e);
    }
  }

  private Path[] signRobot(String name, int days) {
    run("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", Integer.toString(days), "-extfile", "robot.ext",
        "-out", name + ".pem");
    return new Path[] {dir.resolve(name + ".pem"), dir.resolve(name + ".key")};
  }

  /** Exit code and combined stdout/stderr of one openssl run. */
  public record Result(int exitCode, String output) {}
}
