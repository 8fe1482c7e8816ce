package io.flotilla.emulator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.GZIPOutputStream;

/** User-data shaped like the manager's cloud-init template, in the encodings a cloud sees. */
final class UserDataFixtures {

  private UserDataFixtures() {}

  /** The profile script lines, quoted as the built-in template quotes them. */
  static String profile(String base, String machineId, int heartbeatSeconds) {
    return "export MACHINEFEATURES='" + base + "/mf/" + machineId + "'\n"
        + "export JOBFEATURES='" + base + "/jf/" + machineId + "'\n"
        + "export JOBOUTPUTS='" + base + "/out/" + machineId + "'\n"
        + "export FLOTILLA_CREDENTIAL_URL='" + base + "/cred/" + machineId + "'\n"
        + "export FLOTILLA_HEARTBEAT_SECONDS=" + heartbeatSeconds + "\n"
        + "export FLOTILLA_MACHINE_ID='" + machineId + "'\n";
  }

  static String cloudConfig(String profile) {
    StringBuilder yaml = new StringBuilder("#cloud-config\n# pilot VM\nwrite_files:\n"
        + "  - path: /etc/profile.d/flotilla.sh\n    permissions: '0644'\n    content: |\n");
    profile.lines().forEach(line -> yaml.append("      ").append(line).append('\n'));
    yaml.append("  - path: /usr/local/sbin/flotilla-heartbeat\n    permissions: '0755'\n"
        + "    content: |\n      #!/bin/sh\n      . /etc/profile.d/flotilla.sh\n"
        + "runcmd:\n  - [systemctl, enable, --now, flotilla-heartbeat.service]\n");
    return yaml.toString();
  }

  static byte[] cloudConfigBytes(String base, String machineId, int heartbeatSeconds) {
    return utf8(cloudConfig(profile(base, machineId, heartbeatSeconds)));
  }

  /** A multipart/mixed message as cloud-init's make-mime writes it: a script, then config. */
  static String multipart(String cloudConfig, boolean base64) {
    String boundary = "===============4213862427376539187==";
    String body = base64
        ? Base64.getMimeEncoder().encodeToString(utf8(cloudConfig)) : cloudConfig;
    return "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\n"
        + "MIME-Version: 1.0\n\n"
        + "--" + boundary + "\n"
        + "Content-Type: text/x-shellscript; charset=\"us-ascii\"\n"
        + "MIME-Version: 1.0\nContent-Transfer-Encoding: 7bit\n"
        + "Content-Disposition: attachment; filename=\"prep.sh\"\n\n"
        + "#!/bin/sh\necho preparing\n\n"
        + "--" + boundary + "\n"
        + "Content-Type: text/cloud-config; charset=\"us-ascii\"\n"
        + "MIME-Version: 1.0\n"
        + "Content-Transfer-Encoding: " + (base64 ? "base64" : "7bit") + "\n"
        + "Content-Disposition: attachment; filename=\"pilot.yaml\"\n\n"
        + body + "\n"
        + "--" + boundary + "--\n";
  }

  static byte[] gzip(byte[] plain) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(plain);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
