package io.flotilla.cli;

import sun.misc.Signal;

/**
 * Turns Ctrl-C (SIGINT) and SIGTERM into a drain request. A JVM shutdown hook cannot do
 * this: the JVM halts as soon as its hooks return, before the drain has ended the machines,
 * and the exit status would no longer say whether anything was left running.
 */
final class StopSignals {
  private StopSignals() {}

  static void onInterrupt(Runnable stop) {
    Signal.handle(new Signal("INT"), signal -> stop.run());
    Signal.handle(new Signal("TERM"), signal -> stop.run());
  }
}
