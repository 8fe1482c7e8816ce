package io.flotilla.lifecycle;

import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineState;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs every state change in the form a site admin greps for, and tells listeners. */
public final class TransitionLog {
  private static final Logger log = LoggerFactory.getLogger("flotilla.machines");

  private final List<Consumer<MachineRecord>> listeners = new CopyOnWriteArrayList<>();

  /** Registers a listener called with the record after each change. */
  public void listen(Consumer<MachineRecord> listener) {
    listeners.add(listener);
  }

  void changed(MachineState from, MachineRecord machine, String reason) {
    String line = "machine={} vo={} cloud={} from={} to={} reason={}";
    Object[] fields = {machine.id(), machine.vo(), machine.cloud(), from, machine.state(),
        reason};
    if (machine.state() == MachineState.FAILED || machine.state() == MachineState.LOST) {
      log.warn(line, fields);
    } else {
      log.info(line, fields);
    }
    listeners.forEach(listener -> listener.accept(machine));
  }
}
