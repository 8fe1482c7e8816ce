package io.flotilla.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One virtual organisation's machines, as the site runs them.
 *
 * @param name the VO name, e.g. {@code atlas}
 * @param image the endorsed image's {@code dc:identifier}
 * @param clouds the clouds it runs on
 * @param machines how many machines to keep per cloud
 * @param flavour the cloud flavour or instance type
 * @param cores processors per machine
 * @param ramMb memory per machine in MiB
 * @param hs06PerCore HEP-SPEC06 per processor, 0 when unknown
 * @param lifetime the maximum wall-clock life of a machine
 * @param grace notice between publishing {@code shutdowntime} and reaching it
 * @param heartbeat how often guests must send a heartbeat
 * @param backoff how long creation pauses after an abort
 * @param abortCodes shutdown codes that count as aborts
 * @param robotCertificate the VO's robot certificate chain (PEM)
 * @param robotKey the robot certificate's private key (PEM)
 * @param template the user-data template, a file or a built-in name
 * @param context the VO's contextualisation format and options ({@code template} is its
 *     template)
 */
public record VoConfig(
    String name,
    String image,
    List<String> clouds,
    int machines,
    String flavour,
    int cores,
    int ramMb,
    double hs06PerCore,
    Duration lifetime,
    Duration grace,
    Duration heartbeat,
    Duration backoff,
    CodeRange abortCodes,
    Path robotCertificate,
    Path robotKey,
    String template,
    ContextConfig context) {

  /** A VO contextualised by the cloud-init template {@code template}, nothing else set. */
  public VoConfig(String name, String image, List<String> clouds, int machines, String flavour,
      int cores, int ramMb, double hs06PerCore, Duration lifetime, Duration grace,
      Duration heartbeat, Duration backoff, CodeRange abortCodes, Path robotCertificate,
      Path robotKey, String template) {
    this(name, image, clouds, machines, flavour, cores, ramMb, hs06PerCore, lifetime, grace,
        heartbeat, backoff, abortCodes, robotCertificate, robotKey, template,
        ContextConfig.cloudInit(template));
  }

  /** An inclusive range of three-digit shutdown codes. */
  public record CodeRange(int from, int to) {
    public boolean contains(int code) {
      return code >= from && code <= to;
    }
  }
}
