package io.flotilla.guest;

import java.util.regex.Pattern;

/**
 * The four URLs a machine is given in its contextualisation: {@code $MACHINEFEATURES},
 * {@code $JOBFEATURES}, {@code $JOBOUTPUTS} (none with a trailing slash, as MJF requires) and
 * the one-time credential URL. Each embeds the machine's token, so {@link #toString()} masks
 * it.
 */
public record GuestUrls(
    String machineFeatures, String jobFeatures, String jobOutputs, String credential) {
  private static final Pattern URL_SAFE = Pattern.compile("[A-Za-z0-9._~-]+");

  /**
   * Builds the URLs.
   *
   * @param baseUrl the advertised guest API base, e.g. {@code http://127.0.0.1:8080}; trailing
   *     slashes are dropped
   * @param machineId the machine id (URL-safe characters only)
   * @param token the machine's guest token from {@link GuestTokens#newToken()}
   * @throws IllegalArgumentException if the base URL is not http(s) or the id or token holds
   *     characters that would need escaping (the message never shows the token)
   */
  public static GuestUrls of(String baseUrl, String machineId, String token) {
    String base = baseUrl.replaceAll("/+$", "");
    if (!base.startsWith("http://") && !base.startsWith("https://")) {
      throw new IllegalArgumentException(
          "guest base URL '" + baseUrl + "': expected an http:// or https:// URL");
    }
    if (!URL_SAFE.matcher(machineId).matches()) {
      throw new IllegalArgumentException("machine id '" + machineId
          + "': expected only letters, digits and . _ ~ -");
    }
    if (!URL_SAFE.matcher(token).matches()) {
      throw new IllegalArgumentException(
          "guest token of machine " + machineId + ": expected base64url characters only");
    }
    String root = base + GuestApi.machineRoot(machineId, token);
    return new GuestUrls(root + "/machinefeatures", root + "/jobfeatures",
        root + "/joboutputs", root + "/credential");
  }

  @Override
  public String toString() {
    return "GuestUrls[" + mask(machineFeatures) + ", " + mask(jobFeatures) + ", "
        + mask(jobOutputs) + ", " + mask(credential) + "]";
  }

  private static String mask(String url) {
    return GuestApi.maskToken(url);
  }
}
