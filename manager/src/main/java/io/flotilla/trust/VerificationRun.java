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

  /** Records {@code refusal} as the failed check {@code name} and returns it to be thrown. */
  ImageListException failed(String name, ImageListException refusal) {
    checks.add(new VerificationReport.Check(name, false, refusal.getMessage()));
    return refusal;
  }

  /** Records a check that passed with a finding the user should see. */
  void warn(String name, String detail) {
    checks.add(new VerificationReport.Check(name, VerificationReport.Outcome.WARN, detail));
  }

  /** Runs a check that yields only a detail text. */
  void step(String name, Supplier<String> action) {
    step(name, action, Function.identity());
  }

  List<VerificationReport.Check> checks() {
    return checks;
  }
}
