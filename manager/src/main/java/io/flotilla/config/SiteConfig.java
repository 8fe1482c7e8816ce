package io.flotilla.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated site configuration. Built only by {@link SiteConfigLoader}, which refuses any
 * invalid value with the file, the field and the reason.
 *
 * @param source the file it was read from
 * @param site the site's name (APEL Site, machine tags)
 * @param stateDir where accounting and credential traceability files are written
 * @param cluster how this manager joins its Hazelcast cluster
 * @param guestApi where the HTTP interface for VMs listens and how VMs reach it
 * @param trust the CA directory and clock tolerance for image-list verification
 * @param endorsers trusted endorsers by name
 * @param imageLists image-list subscriptions
 * @param clouds the clouds machines run on
 * @param vos the virtual organisations and their machine settings
 * @param lifecycle timings of the reconcile loop
 * @param control shares, limits, quotas, drains and APEL accounting
 * @param context the site's part of every machine's contextualisation
 * @param credentials proxy types, token issuers and the robot-certificate expiry warning
 * @param metrics the optional metrics listener
 */
public record SiteConfig(
    Path source,
    String site,
    Path stateDir,
    ClusterConfig cluster,
    GuestApiConfig guestApi,
    TrustConfig trust,
    Map<String, EndorserConfig> endorsers,
    List<SubscriptionConfig> imageLists,
    List<CloudConfig> clouds,
    List<VoConfig> vos,
    LifecycleConfig lifecycle,
    ControlConfig control,
    SiteContextConfig context,
    CredentialsConfig credentials,
    MetricsConfig metrics) {

  /** A site with default credential settings and no metrics listener. */
  public SiteConfig(Path source, String site, Path stateDir, ClusterConfig cluster,
      GuestApiConfig guestApi, TrustConfig trust, Map<String, EndorserConfig> endorsers,
      List<SubscriptionConfig> imageLists, List<CloudConfig> clouds, List<VoConfig> vos,
      LifecycleConfig lifecycle, ControlConfig control, SiteContextConfig context) {
    this(source, site, stateDir, cluster, guestApi, trust, endorsers, imageLists, clouds, vos,
        lifecycle, control, context, CredentialsConfig.defaults(), MetricsConfig.off());
  }

  /** A site that adds nothing of its own to machines' contextualisation. */
  public SiteConfig(Path source, String site, Path stateDir, ClusterConfig cluster,
      GuestApiConfig guestApi, TrustConfig trust, Map<String, EndorserConfig> endorsers,
      List<SubscriptionConfig> imageLists, List<CloudConfig> clouds, List<VoConfig> vos,
      LifecycleConfig lifecycle, ControlConfig control) {
    this(source, site, stateDir, cluster, guestApi, trust, endorsers, imageLists, clouds, vos,
        lifecycle, control, SiteContextConfig.none());
  }

  public Optional<CloudConfig> cloud(String name) {
    return clouds.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  public Optional<VoConfig> vo(String name) {
    return vos.stream().filter(v -> v.name().equals(name)).findFirst();
  }

  /**
   * Cluster membership: embedded members join each other over TCP on the given address.
   *
   * @param name the cluster's name; only managers with the same name share state
   * @param secretFile the secret that seals machine records, shared by the site's managers
   */
  public record ClusterConfig(
      String name, String host, int port, List<String> members, Path secretFile) {}

  /**
   * @param bindHost address the guest HTTP server binds to
   * @param port its port (0 picks a free one, for tests)
   * @param advertisedUrl base URL written into VMs' contextualisation, no trailing slash
   * @param tls the server certificate when the guest API speaks HTTPS, else empty
   * @param jobOutputs which job output files guests may write, and how large
   */
  public record GuestApiConfig(String bindHost, int port, String advertisedUrl,
      Optional<GuestTlsConfig> tls, JobOutputsConfig jobOutputs) {

    /** Plain HTTP, job outputs limited to heartbeat and shutdown_message. */
    public GuestApiConfig(String bindHost, int port, String advertisedUrl) {
      this(bindHost, port, advertisedUrl, Optional.empty(), JobOutputsConfig.defaults());
    }
  }

  public record TrustConfig(Path caDir, Duration clockSkew) {}

  /** An endorser by subject and issuing-CA DN, both in OpenSSL slash form. */
  public record EndorserConfig(String name, String dn, String caDn) {}

  /**
   * A subscribed image list and the endorsers trusted to sign it.
   *
   * @param allowImages the only image identifiers of this list that may be launched; empty
   *     allows every image of the list
   * @param newImages what happens to an image that appears in an update of the list
   * @param allowUnsigned accept a plain JSON list that nothing signs (loudly logged)
   */
  public record SubscriptionConfig(
      String name, String url, List<String> endorsers, Duration refresh,
      List<String> allowImages, NewImagePolicy newImages, boolean allowUnsigned) {}

  /** The fate of an image that was not in the first accepted version of its list. */
  public enum NewImagePolicy {
    /** Launchable at once, like the images of the first version. */
    ACCEPT,
    /** Never launchable. */
    REFUSE,
    /** Launchable once an operator approves it. */
    HOLD
  }

  /**
   * A cloud: its type selects the provider, options are the provider's own; {@code policy}
   * is how the manager paces and judges its calls, whatever the type.
   */
  public record CloudConfig(String name, String type, Map<String, Object> options,
      Map<String, String> images, Map<String, Object> emulator, CloudPolicy policy) {

    /** A cloud with the default {@link CloudPolicy}. */
    public CloudConfig(String name, String type, Map<String, Object> options,
        Map<String, String> images, Map<String, Object> emulator) {
      this(name, type, options, images, emulator, CloudPolicy.defaults());
    }
  }

  /**
   * @param startTimeout how long a machine may stay BOOTING before it counts as failed
   * @param cycle how often the reconcile pass runs
   * @param deleteRetry the least time between two delete attempts for one machine
   * @param keepFinished how long the record of an ended, accounted machine stays shared
   */
  public record LifecycleConfig(
      Duration cycle, Duration startTimeout, Duration deleteRetry, Duration keepFinished) {

    /** Timings that keep finished records for an hour. */
    public LifecycleConfig(Duration cycle, Duration startTimeout, Duration deleteRetry) {
      this(cycle, startTimeout, deleteRetry, Duration.ofHours(1));
    }
  }
}
