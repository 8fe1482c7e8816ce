package io.flotilla.emulator;

import java.time.Duration;
import java.util.List;

/**
 * What one emulated VM will do, drawn when it is first seen running.
 *
 * @param vo the VO the machine serves (tag flotilla-vo)
 * @param silent true for a VM that never sends a heartbeat
 * @param jobs the simulated jobs its queue holds, by duration; empty = nothing to do
 */
record GuestPlan(String vo, boolean silent, List<Duration> jobs) {

  GuestPlan {
    jobs = List.copyOf(jobs);
  }
}
