package io.flotilla.state;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything the cluster knows about one machine. Immutable: every change makes a new
 * record, written back with a compare-and-set so two managers never overwrite each other.
 *
 * <p>The record holds no secret: the guest token is kept only as its SHA-256 hash, and the
 * credential is minted when the guest fetches it, never stored.
 *
 * @param id the manager's machine id, also the cloud idempotency key and MJF {@code job_id}
 * @param vo the virtual organisation the machine works for
 * @param cloud the cloud's name in the site configuration
 * @param imageId the endorsed image's {@code dc:identifier}
 * @param cloudId the cloud's id for the machine, null until the create call returns
 * @param state the current state
 * @param spec sizes and limits fixed at creation
 * @param tokenHash hex SHA-256 of the guest token in the machine's URLs
 * @param requestedAt when the record was written, before any cloud call
 * @param startedAt when the cloud accepted the machine (MJF {@code jobstart_secs})
 * @param endedAt when the machine reached GONE
 * @param shutdownTime the published end of the machine's life, null until announced
 * @param lastHeartbeat the guest's last heartbeat
 * @param shutdownCode the code from the guest's shutdown message, or the manager's own
 * @param shutdownMessage the text of that message
 * @param credentialIssuedAt when the guest fetched its credential, null before
 * @param deleteAttempts how many delete calls were made
 * @param nextDeleteAt when the next delete attempt may run
 * @param accounted whether the accounting record has been written
 * @param history the transitions so far, oldest first
 */
public record MachineRecord(
    String id,
    String vo,
    String cloud,
    String imageId,
    String cloudId,
    MachineState state,
    MachineSpecs spec,
    String tokenHash,
    Instant requestedAt,
    Instant startedAt,
    Instant endedAt,
    Instant shutdownTime,
    Instant lastHeartbeat,
    Integer shutdownCode,
    String shutdownMessage,
    Instant credentialIssuedAt,
    int deleteAttempts,
    Instant nextDeleteAt,
    boolean accounted,
    List<Transition> history) {

  public MachineRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    history = List.copyOf(history);
  }

  /** A new record in state REQUESTED. */
  public static MachineRecord requested(
      String id, String vo, String cloud, String imageId, MachineSpecs spec,
      String tokenHash, Instant now) {
    List<Transition> history = List.of(new Transition(MachineState.REQUESTED, now, "planned"));
    return new MachineRecord(id, vo, cloud, imageId, null, MachineState.REQUESTED, spec,
        tokenHash, now, null, null, null, null, null, null, null, 0, null, false, history);
  }

  /**
   * This record moved to {@code next}.
   *
   * @throws IllegalStateException if the state machine forbids the move
   */
  public MachineRecord moveTo(MachineState next, Instant now, String reason) {
    if (!state.canMoveTo(next)) {
      throw new IllegalStateException(
          "machine " + id + " cannot move from " + state + " to " + next);
    }
    List<Transition> steps = new ArrayList<>(history);
    steps.add(new Transition(next, now, reason));
    Instant ended = next == MachineState.GONE ? now : endedAt;
    return new MachineRecord(id, vo, cloud, imageId, cloudId, next, spec, tokenHash,
        requestedAt, startedAt, ended, shutdownTime, lastHeartbeat, shutdownCode,
        shutdownMessage, credentialIssuedAt, deleteAttempts, nextDeleteAt, accounted, steps);
  }

  public MachineRecord withCloudId(String newCloudId, Instant started) {
    return new MachineRecord(id, vo, cloud, imageId, newCloudId, state, spec, tokenHash,
        requestedAt, started, endedAt, shutdownTime, lastHeartbeat, shutdownCode,
        shutdownMessage, credentialIssuedAt, deleteAttempts, nextDeleteAt, accounted, history);
  }

  public MachineRecord withShutdownTime(Instant time) {
    return new MachineRecord(id, vo, cloud, imageId, cloudId, state, spec, tokenHash,
        requestedAt, startedAt, endedAt, time, lastHeartbeat, shutdownCode,
        shutdownMessage, credentialIssuedAt, deleteAttempts, nextDeleteAt, accounted, history);
  }

  public MachineRecord withHeartbeat(Instant time) {
    return new MachineRecord(id, vo, cloud, imageId, cloudId, state, spec, tokenHash,
        requestedAt, startedAt, endedAt, shutdownTime, time, shutdownCode,
        shutdownMessage, credentialIssuedAt, deleteAttempts, nextDeleteAt, accounted, history);
  }

  /** Records a shutdown code; the guest's own code wins over one the manager set later. */
  public MachineRecord withShutdown(int code, String message) {
    return new MachineRecord(id, vo, cloud, imageId, cloudId, state, spec, tokenHash,
        requestedAt, startedAt, endedAt, shutdownTime, lastHeartbeat, code, message,
        credentialIssuedAt, deleteAttempts, nextDeleteAt, accounted, history);
  }

  public MachineRecord withCredentialIssued(Instant time) {
    return new MachineRecord(id, vo, cloud, imageId, cloudId, state, spec, tokenHash,
        requestedAt, startedAt, endedAt, shutdownTime, lastHeartbeat, shutdownCode,
        shutdownMessage, time, deleteAttempts, nextDeleteAt, accounted, history);
  }

  public MachineRecord withDeleteAttempt(Instant next) {
    return new MachineRecord(id, vo, cloud, imageId, cloudId, state, spec, tokenHash,
        requestedAt, startedAt, endedAt, shutdownTime, lastHeartbeat, shutdownCode,
        shutdownMessage, credentialIssuedAt, deleteAttempts + 1, next, accounted, history);
  }

  public MachineRecord withAccounted() {
    return new MachineRecord(id, vo, cloud, imageId, cloudId, state, spec, tokenHash,
        requestedAt, startedAt, endedAt, shutdownTime, lastHeartbeat, shutdownCode,
        shutdownMessage, credentialIssuedAt, deleteAttempts, nextDeleteAt, true, history);
  }

  /** Whether the guest has already written a shutdown code. */
  public boolean hasShutdownCode() {
    return shutdownCode != null;
  }

  /** The states this machine passed through, in order. */
  public List<MachineState> statePath() {
    return history.stream().map(Transition::to).toList();
  }
}
