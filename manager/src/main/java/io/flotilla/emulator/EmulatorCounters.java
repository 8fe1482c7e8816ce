package io.flotilla.emulator;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the emulated guests have done so far, for tests and for the demo's status page.
 * Thread-safe; the values only grow.
 */
public final class EmulatorCounters {

  private final AtomicLong guestsStarted = new AtomicLong();
  private final AtomicLong unreadableUserData = new AtomicLong();
  private final AtomicLong credentialsFetched = new AtomicLong();
  private final AtomicLong credentialFailures = new AtomicLong();
  private final AtomicLong secondFetchesRefused = new AtomicLong();
  private final AtomicLong secondFetchesServed = new AtomicLong();
  private final AtomicLong heartbeatsSent = new AtomicLong();
  private final AtomicLong jobsCompleted = new AtomicLong();
  private final AtomicLong shutdownMessagesSent = new AtomicLong();
  private final AtomicLong powerOffs = new AtomicLong();
  private final AtomicLong halts = new AtomicLong();
  private final Map<String, String> shutdownMessages = new ConcurrentHashMap<>();

  /** Guests started, one per machine seen running. */
  public long guestsStarted() {
    return guestsStarted.get();
  }

  /** Guests whose user-data could not be read: they never contact the manager. */
  public long unreadableUserData() {
    return unreadableUserData.get();
  }

  /** First credential fetches answered 200 with a PEM body. */
  public long credentialsFetched() {
    return credentialsFetched.get();
  }

  /** First credential fetches that failed or did not return PEM. */
  public long credentialFailures() {
    return credentialFailures.get();
  }

  /** Second credential fetches the manager refused (410), as it must. */
  public long secondFetchesRefused() {
    return secondFetchesRefused.get();
  }

  /** Second credential fetches the manager answered with 2xx: a one-time credential leak. */
  public long secondFetchesServed() {
    return secondFetchesServed.get();
  }

  /** Heartbeats the manager accepted (201). */
  public long heartbeatsSent() {
    return heartbeatsSent.get();
  }

  /** Simulated jobs run to their end. */
  public long jobsCompleted() {
    return jobsCompleted.get();
  }

  /** Shutdown messages the manager accepted (201). */
  public long shutdownMessagesSent() {
    return shutdownMessagesSent.get();
  }

  /** Guests that powered their machine off. */
  public long powerOffs() {
    return powerOffs.get();
  }

  /** Guests that stopped because their shutdowntime passed, leaving termination to the manager. */
  public long halts() {
    return halts.get();
  }

  /** The shutdown message each machine sent, by cloud id. */
  public Map<String, String> shutdownMessages() {
    return Map.copyOf(shutdownMessages);
  }

  void guestStarted() {
    guestsStarted.incrementAndGet();
  }

  void userDataUnreadable() {
    unreadableUserData.incrementAndGet();
  }

  void credentialFetched() {
    credentialsFetched.incrementAndGet();
  }

  void credentialFailed() {
    credentialFailures.incrementAndGet();
  }

  void secondFetchRefused() {
    secondFetchesRefused.incrementAndGet();
  }

  void secondFetchServed() {
    secondFetchesServed.incrementAndGet();
  }

  void heartbeatSent() {
    heartbeatsSent.incrementAndGet();
  }

  void jobCompleted() {
    jobsCompleted.incrementAndGet();
  }

  void shutdownMessageSent(String cloudId, String message) {
    shutdownMessages.put(cloudId, message);
    shutdownMessagesSent.incrementAndGet();
  }

  void poweredOff() {
    powerOffs.incrementAndGet();
  }

  void halted() {
    halts.incrementAndGet();
  }

  /** The counts of several emulators added up, for a run over several sandbox clouds. */
  public static EmulatorCounters sum(java.util.List<EmulatorCounters> parts) {
    EmulatorCounters total = new EmulatorCounters();
    for (EmulatorCounters part : parts) {
      total.guestsStarted.addAndGet(part.guestsStarted());
      total.unreadableUserData.addAndGet(part.unreadableUserData());
      total.credentialsFetched.addAndGet(part.credentialsFetched());
      total.credentialFailures.addAndGet(part.credentialFailures());
      total.secondFetchesRefused.addAndGet(part.secondFetchesRefused());
      total.secondFetchesServed.addAndGet(part.secondFetchesServed());
      total.heartbeatsSent.addAndGet(part.heartbeatsSent());
      total.jobsCompleted.addAndGet(part.jobsCompleted());
      total.shutdownMessagesSent.addAndGet(part.shutdownMessagesSent());
      total.powerOffs.addAndGet(part.powerOffs());
      total.halts.addAndGet(part.halts());
      total.shutdownMessages.putAll(part.shutdownMessages());
    }
    return total;
  }
}
