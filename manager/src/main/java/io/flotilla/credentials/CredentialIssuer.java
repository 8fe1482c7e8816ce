package io.flotilla.credentials;

import io.flotilla.config.CredentialsConfig.ProxyType;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineSpecs;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues each machine its own credential, valid no longer than the machine may live plus its
 * grace period: a proxy signed by its VO's robot credential, or a token from its VO's
 * issuer. Every issue is recorded in the traceability log before the credential leaves this
 * class.
 *
 * <p>Thread-safe. Blocks (key generation, a network call, an fsync): call it off the event
 * loop.
 */
public final class CredentialIssuer {
  private static final Logger log = LoggerFactory.getLogger(CredentialIssuer.class);

  private final Map<String, CredentialSource> sources;
  private final TraceabilityLog traceability;
  private final Clock clock;

  /**
   * Impersonation proxies of fixed robot credentials.
   *
   * @param robots robot credential per VO name
   * @param traceability where each issued credential is recorded
   * @param clock the time source for validity and records
   */
  public CredentialIssuer(
      Map<String, RobotCredential> robots, TraceabilityLog traceability, Clock clock) {
    this(traceability, clock, proxiesOf(robots));
  }

  private CredentialIssuer(
      TraceabilityLog traceability, Clock clock, Map<String, ? extends CredentialSource> sources) {
    this.sources = Map.copyOf(sources);
    this.traceability = traceability;
    this.clock = clock;
  }

  /**
   * An issuer with a credential source (proxies or tokens) per VO.
   *
   * @param sources credential source per VO name
   * @param traceability where each issued credential is recorded
   * @param clock the time source for validity and records
   */
  public static CredentialIssuer withSources(Map<String, ? extends CredentialSource> sources,
      TraceabilityLog traceability, Clock clock) {
    return new CredentialIssuer(traceability, clock, sources);
  }

  /**
   * Issues a credential for {@code machine} and records it.
   *
   * @param clientAddress the address of the guest asking, for the traceability record
   * @return the credential; the caller should {@link IssuedCredential#clear()} it once sent
   * @throws CredentialException if the machine's VO has no credential source, none can be
   *     issued (robot expired, machine past its lifetime, token issuer refused) or the
   *     record cannot be written; in the last case the credential is discarded
   */
  public IssuedCredential issue(MachineRecord machine, String clientAddress) {
    CredentialSource source = sourceFor(machine);
    Instant now = clock.instant();
    Instant limit = proxyNotAfter(machine);
    IssuedCredential credential = source.issue(machine.id(), limit, now);
    try {
      traceability.append(new TraceRecord(now, machine.id(), machine.vo(), credential.kind(),
          credential.traceId(), credential.subject(), credential.notAfter(), clientAddress));
    } catch (CredentialException e) {
      credential.clear();
      throw e;
    }
    log.info("credential issued machine={} vo={} type={} id={} notAfter={} client={}",
        machine.id(), machine.vo(), credential.kind(), credential.traceId(),
        credential.notAfter(), clientAddress);
    if (credential.notAfter().isBefore(limit.minusSeconds(1))) {
      log.warn("credential shorter than the machine's life machine={} vo={} notAfter={}"
          + " machineEnd={}", machine.id(), machine.vo(), credential.notAfter(), limit);
    }
    return credential;
  }

  /**
   * Whether a guest of {@code vo} may fetch again after an issue failed (token VOs); a
   * proxy fetch is spent even when it fails. False for a VO with no source.
   */
  public boolean retryable(String vo) {
    CredentialSource source = sources.get(vo);
    return source != null && source.retryable();
  }

  /**
   * The latest notAfter a credential for {@code machine} may have: its start (or request
   * time, before the cloud answered) plus its lifetime and grace period.
   */
  public static Instant proxyNotAfter(MachineRecord machine) {
    MachineSpecs spec = machine.spec();
    if (spec == null) {
      throw new CredentialException("machine " + machine.id() + ": no spec recorded");
    }
    Instant start = machine.startedAt() != null ? machine.startedAt() : machine.requestedAt();
    if (start == null) {
      throw new CredentialException("machine " + machine.id()
          + ": neither startedAt nor requestedAt is recorded");
    }
    return start.plusSeconds(spec.lifetimeSecs()).plusSeconds(spec.graceSecs());
  }

  private CredentialSource sourceFor(MachineRecord machine) {
    CredentialSource source = sources.get(machine.vo());
    if (source == null) {
      throw new CredentialException("machine " + machine.id() + ": no robot credential is"
          + " configured for VO '" + machine.vo() + "' (configured: "
          + new TreeSet<>(sources.keySet()) + ")");
    }
    return source;
  }

  private static Map<String, CredentialSource> proxiesOf(Map<String, RobotCredential> robots) {
    Map<String, CredentialSource> sources = new LinkedHashMap<>();
    ProxyIssuer issuer = new ProxyIssuer();
    robots.forEach((vo, robot) -> sources.put(vo,
        new CredentialSource.Proxies(() -> robot, ProxyType.IMPERSONATION, issuer)));
    return sources;
  }
}
