package io.flotilla.trust;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/** Runs named checks in order, recording each outcome for the {@link VerificationReport}. */
final class VerificationRun {

  private final List<VerificationReport.Check> checks = new ArrayList<>();

  /**
   * Runs {@code action}; records it as passed with {@code detail} of its result, or as failed
   * with the refusal's message, which is then rethrown.
   */
  <T> T step(String name, Supplier<T> action, Function<T, String> detail) {
    T result;
    try {
      result = action.get();
    } catch (ImageListException e) {
      checks.add(new VerificationReport.Check(name, false, e.getMessage()));
      throw e;
    }
    checks.add(new VerificationReport.Check(name, true, detail.apply(result)));
    return result;
  }

  /** Runs a check that yields only a detail text. */
  void step(String name, Supplier<String> action) {
    step(name, action, Function.identity());
  }

  List<VerificationReport.Check> checks() {
    return checks;
  }
}
