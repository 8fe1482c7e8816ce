package io.flotilla.state;

import java.time.Instant;

/** One step in a machine's history, kept in its record for operators and audits. */
public record Transition(MachineState to, Instant at, String reason) {}
