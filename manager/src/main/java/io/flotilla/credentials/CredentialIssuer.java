package io.flotilla.credentials;

import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineSpecs;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues each machine its own proxy, signed by its VO's robot credential and valid no longer
 * than the machine may live plus its grace period, and records every issue in the
 * traceability log before the proxy leaves this class.
 *
 * <p>Thread-safe. Blocks (key generation, an fsync): call it off the event loop.
 */
public final class CredentialIssuer {
  private static final Logger log = LoggerFactory.getLogger(CredentialIssuer.class);

  private final Map<String, RobotCredential> robots;
  private final TraceabilityLog traceability;
  private final Clock clock;
  private final ProxyIssuer proxies;

  /**
   * @param robots robot credential per VO name
   * @param traceability where each issued proxy is recorded
   * @param clock the time source for validity and records
   */
  public CredentialIssuer(
      Map<String, RobotCredential> robots, TraceabilityLog traceability, Clock clock) {
    this(robots, traceability, clock, new ProxyIssuer());
  }

  CredentialIssuer(Map<String, RobotCredential> robots, TraceabilityLog traceability,
      Clock clock, ProxyIssuer proxies) {
    this.robots = Map.copyOf(robots);
    this.traceability = traceability;
    this.clock = clock;
    this.proxies = proxies;
  }

  /**
   * Mints a proxy for {@code machine} and records it.
   *
   * @param clientAddress the address of the guest asking, for the traceability record
   * @return the proxy; the caller should {@link IssuedCredential#clear()} it once sent
   * @throws CredentialException if the machine's VO has no robot credential, the proxy cannot
   *     be minted (robot expired, machine past its lifetime) or the record cannot be written;
   *     in the last case the proxy is discarded
   */
  public IssuedCredential issue(MachineRecord machine, String clientAddress) {
    RobotCredential robot = robotFor(machine);
    Instant now = clock.instant();
    IssuedCredential proxy = proxies.issue(robot, proxyNotAfter(machine), now);
    try {
      traceability.append(new TraceRecord(now, machine.id(), machine.vo(),
          proxy.serial().toString(), proxy.subject(), proxy.notAfter(), clientAddress));
    } catch (CredentialException e) {
      proxy.clear();
      throw e;
    }
    log.info("credential issued machine={} vo={} serial={} notAfter={} client={}",
        machine.id(), machine.vo(), proxy.serial(), proxy.notAfter(), clientAddress);
    return proxy;
  }

  /**
   * The latest notAfter a proxy for {@code machine} may have: its start (or request time,
   * before the cloud answered) plus its lifetime and grace period.
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

  private RobotCredential robotFor(MachineRecord machine) {
    RobotCredential robot = robots.get(machine.vo());
    if (robot == null) {
      throw new CredentialException("machine " + machine.id() + ": no robot credential is"
          + " configured for VO '" + machine.vo() + "' (configured: "
          + new TreeSet<>(robots.keySet()) + ")");
    }
    return robot;
  }
}
