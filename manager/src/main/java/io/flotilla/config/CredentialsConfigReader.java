package io.flotilla.config;

import io.flotilla.config.CredentialsConfig.ProxyType;
import io.flotilla.config.CredentialsConfig.TokenIssuerConfig;
import io.flotilla.config.CredentialsConfig.VoCredentialConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the credential options: the top-level {@code credentials:} mapping, the VO keys
 * {@code proxy_type} and {@code token_issuer}, and the guest API's {@code tls} and
 * {@code joboutputs}. The VO part runs before the VO reader, which then accepts these keys.
 */
final class CredentialsConfigReader {
  private static final Pattern SCOPE = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+( "
      + "[\\x21\\x23-\\x5B\\x5D-\\x7E]+)*");
  private static final Pattern CLIENT_ID = Pattern.compile("[\\x21-\\x7E]{1,256}");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final Pattern OUTPUT_GLOB =
      Pattern.compile("[A-Za-z0-9_*?][A-Za-z0-9._*?-]{0,127}");
  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]", "::1");
  private static final int MAX_SECRET_BYTES = 4096;

  private CredentialsConfigReader() {}

  /** The {@code credentials:} mapping and every VO's credential keys. */
  static CredentialsConfig read(ConfigNode root) {
    ConfigNode node = root.object("credentials", false);
    Duration warning = node.duration("expiry_warning", CredentialsConfig.DEFAULT_EXPIRY_WARNING,
        Duration.ZERO);
    node.rejectUnknownKeys();
    Map<String, VoCredentialConfig> vos = new LinkedHashMap<>();
    for (ConfigNode vo : root.objects("vos", false)) {
      String name = vo.string("name", null);
      VoCredentialConfig credential = voCredential(vo);
      if (name != null) {
        vos.put(name, credential);
      }
    }
    return new CredentialsConfig(warning, vos);
  }

  /** {@code guest_api.tls}, or empty; call before the node's {@code rejectUnknownKeys()}. */
  static Optional<GuestTlsConfig> guestTls(ConfigNode guestApi) {
    if (!guestApi.has("tls")) {
      guestApi.object("tls", false);
      return Optional.empty();
    }
    ConfigNode node = guestApi.object("tls", false);
    Path certificate = readableFile(node, "certificate");
    Path key = readableFile(node, "key");
    node.rejectUnknownKeys();
    return Optional.of(new GuestTlsConfig(certificate, key));
  }

  /** {@code guest_api.joboutputs}; call before the node's {@code rejectUnknownKeys()}. */
  static JobOutputsConfig jobOutputs(ConfigNode guestApi) {
    ConfigNode node = guestApi.object("joboutputs", false);
    List<String> allowed = node.strings("allowed", false);
    for (int i = 0; i < allowed.size(); i++) {
      String glob = allowed.get(i);
      if (!OUTPUT_GLOB.matcher(glob).matches()) {
        node.problem("allowed[" + i + "]", "must be a file name or glob of letters, digits,"
            + " '.', '_', '-', '*' and '?' (at most 128, not starting with '.' or '-'),"
            + " got '" + glob + "'");
      }
    }
    int maxBytes = (int) node.integer("max_bytes", JobOutputsConfig.DEFAULT_MAX_BYTES, 1,
        16L * 1024 * 1024);
    int maxFiles = (int) node.integer("max_files", JobOutputsConfig.DEFAULT_MAX_FILES, 2,
        10_000);
    node.rejectUnknownKeys();
    return new JobOutputsConfig(allowed, maxBytes, maxFiles);
  }

  private static VoCredentialConfig voCredential(ConfigNode vo) {
    ProxyType proxyType = proxyType(vo);
    if (!vo.has("token_issuer")) {
      vo.object("token_issuer", false);
      return new VoCredentialConfig(proxyType, Optional.empty());
    }
    if (vo.has("proxy_type")) {
      vo.problem("proxy_type", "has no effect on a VO with token_issuer (its machines get"
          + " tokens, not proxies); remove one of them");
    }
    for (String robotKey : List.of("robot_certificate", "robot_key")) {
      if (vo.has(robotKey)) {
        vo.problem(robotKey, "a VO with token_issuer gets tokens, not proxies; remove "
            + robotKey + " or token_issuer");
      }
    }
    return new VoCredentialConfig(proxyType,
        Optional.of(tokenIssuer(vo.object("token_issuer", false))));
  }

  private static ProxyType proxyType(ConfigNode vo) {
    String text = vo.string("proxy_type", ProxyType.IMPERSONATION.configName());
    return Arrays.stream(ProxyType.values()).filter(t -> t.configName().equals(text))
        .findFirst().orElseGet(() -> {
          vo.problem("proxy_type", "must be impersonation or limited, got '" + text + "'");
          return ProxyType.IMPERSONATION;
        });
  }

  private static TokenIssuerConfig tokenIssuer(ConfigNode node) {
    URI endpoint = tokenEndpoint(node);
    String clientId = node.string("client_id");
    node.check("client_id", clientId, id -> CLIENT_ID.matcher(id).matches() ? null
        : "must be printable ASCII without spaces, at most 256 characters");
    Optional<Path> secretFile = Optional.ofNullable(node.file("client_secret_file", false));
    Optional<String> secretEnv = Optional.ofNullable(node.string("client_secret_env", null));
    checkSecretSource(node, secretFile, secretEnv);
    Optional<String> scope = Optional.ofNullable(node.string("scope", null));
    node.check("scope", scope.orElse(null), s -> SCOPE.matcher(s).matches() ? null
        : "must be scope tokens separated by single spaces (RFC 6749 section 3.3)");
    Optional<String> audience = Optional.ofNullable(node.string("audience", null));
    node.check("audience", audience.orElse(null),
        a -> a.chars().allMatch(c -> c > 32 && c < 127) ? null
            : "must be printable ASCII without spaces");
    node.rejectUnknownKeys();
    return new TokenIssuerConfig(endpoint, clientId, secretFile, secretEnv, scope, audience);
  }

  private static URI tokenEndpoint(ConfigNode node) {
    String text = node.string("token_endpoint");
    if (text == null) {
      return null;
    }
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme();
      if (uri.getHost() == null || !"https".equals(scheme) && !"http".equals(scheme)) {
        node.problem("token_endpoint",
            "must be an https:// URL with a host, got '" + text + "'");
      } else if ("http".equals(scheme) && !LOOPBACK.contains(uri.getHost())) {
        node.problem("token_endpoint", "must be https:// (the client secret is sent to it);"
            + " plain http:// is accepted only on a loopback address, got '" + text + "'");
      } else if (uri.getFragment() != null || uri.getUserInfo() != null) {
        node.problem("token_endpoint", "must not carry a fragment or user info");
      }
      return uri;
    } catch (URISyntaxException e) {
      node.problem("token_endpoint", "is not a valid URL: " + e.getReason());
      return null;
    }
  }

  private static void checkSecretSource(
      ConfigNode node, Optional<Path> file, Optional<String> env) {
    if (file.isPresent() == env.isPresent()) {
      node.problem("client_secret_file", "give exactly one of client_secret_file and"
          + " client_secret_env (the secret itself never goes into the site file)");
      return;
    }
    file.ifPresent(path -> checkSecretFile(node, path));
    env.ifPresent(name -> {
      if (!ENV_NAME.matcher(name).matches()) {
        node.problem("client_secret_env", "must be an environment variable name, got '"
            + name + "'");
      } else if (System.getenv(name) == null || System.getenv(name).isBlank()) {
        node.problem("client_secret_env", "environment variable " + name + " is not set");
      }
    });
  }

  private static void checkSecretFile(ConfigNode node, Path file) {
    try {
      long size = Files.size(file);
      if (size == 0 || size > MAX_SECRET_BYTES) {
        node.problem("client_secret_file", "file " + file + " must hold the secret (1 to "
            + MAX_SECRET_BYTES + " bytes), holds " + size + " bytes");
      } else if (!Files.isReadable(file)) {
        node.problem("client_secret_file", "file " + file + " cannot be read");
      }
    } catch (IOException e) {
      node.problem("client_secret_file", "file " + file + " does not exist or cannot be read");
    }
  }

  private static Path readableFile(ConfigNode node, String key) {
    Path file = node.file(key, true);
    if (file != null && !Files.isReadable(file)) {
      node.problem(key, "file " + file + " does not exist or cannot be read");
    }
    return file;
  }
}
