package io.flotilla.run;

import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineState;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Counts what happens to machines during one run, from the state changes as they happen,
 * so the summary stays right however long the run and however early finished records are
 * pruned from the shared map.
 */
final class RunTally implements Consumer<MachineRecord> {
  private final AtomicInteger created = new AtomicInteger();
  private final AtomicInteger run = new AtomicInteger();
  private final AtomicInteger drained = new AtomicInteger();
  private final AtomicInteger terminated = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();

  @Override
  public void accept(MachineRecord machine) {
    switch (machine.state()) {
      case REQUESTED -> created.incrementAndGet();
      case RUNNING -> run.incrementAndGet();
      case DRAINING -> drained.incrementAndGet();
      case GONE -> terminated.incrementAndGet();
      case FAILED, LOST -> countFailure(machine);
      default -> { }
    }
  }

  /** A machine counts as failed once, however many failure states it passes. */
  private void countFailure(MachineRecord machine) {
    List<MachineState> path = machine.statePath();
    long failures = path.stream()
        .filter(s -> s == MachineState.FAILED || s == MachineState.LOST).count();
    if (failures == 1) {
      failed.incrementAndGet();
    }
  }

  RunSummary summary(int leftRunning, int unfinished, int apelRecords) {
    return new RunSummary(created.get(), run.get(), drained.get(), terminated.get(),
        failed.get(), leftRunning, unfinished, apelRecords);
  }
}
