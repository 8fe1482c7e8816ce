package io.flotilla.provider.sandbox;

import io.flotilla.provider.CloudMachine;
import java.util.List;

/**
 * The view a guest has of the cloud it runs on: its metadata service and its power button.
 * A guest emulator uses it to play each machine as a real VM would.
 *
 * <p>Implementations are thread-safe. Calls may block for a short while (tens of
 * milliseconds): callers on an event loop run them as blocking work.
 */
public interface GuestHost {

  /**
   * The user-data bytes of the machine, exactly as given at create time, as the guest reads
   * them from its metadata service.
   *
   * @throws io.flotilla.provider.CloudException NOT_FOUND when the machine does not exist
   */
  byte[] userData(String cloudId);

  /**
   * The guest shuts itself down: the machine goes to STOPPED and stays there until it is
   * destroyed. Powering off a stopped machine does nothing.
   *
   * @throws io.flotilla.provider.CloudException NOT_FOUND when the machine does not exist,
   *     INVALID_REQUEST when it is not running (a guest that does not run cannot shut down)
   */
  void powerOff(String cloudId);

  /** Every machine whose state is RUNNING now: these are the guests that should be alive. */
  List<CloudMachine> running();
}
