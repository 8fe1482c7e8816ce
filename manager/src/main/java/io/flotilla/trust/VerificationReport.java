package io.flotilla.trust;

import java.util.List;
import java.util.Optional;

/**
 * Every check {@link ImageListVerifier#check} performed on one list, in order, with its
 * outcome. Checks stop at the first failure, so at most the last check has failed.
 *
 * @param sourceName the list's name as given by the caller
 * @param checks the checks run, in order
 * @param result the verified list when all checks passed
 * @param failure the refusal when a check failed
 */
public record VerificationReport(
    String sourceName,
    List<Check> checks,
    Optional<VerifiedImageList> result,
    Optional<ImageListException> failure) {

  /** How one check ended. {@code WARN} passed, but with a finding the user should see. */
  public enum Outcome { OK, WARN, FAIL }

  /** One check: a short stable name (e.g. {@code signature}), outcome and human detail. */
  public record Check(String name, Outcome outcome, String detail) {

    /** A check that passed ({@code OK}) or failed ({@code FAIL}). */
    public Check(String name, boolean passed, String detail) {
      this(name, passed ? Outcome.OK : Outcome.FAIL, detail);
    }

    /** Whether the check passed, with or without a warning. */
    public boolean passed() {
      return outcome != Outcome.FAIL;
    }
  }

  /** Copies {@code checks} so the record stays immutable. */
  public VerificationReport {
    checks = List.copyOf(checks);
  }

  /** Whether every check passed. */
  public boolean passed() {
    return result.isPresent();
  }

  /**
   * The verified list.
   *
   * @throws ImageListException the recorded failure if a check failed
   */
  public VerifiedImageList verifiedOrThrow() {
    return result.orElseThrow(() -> failure.orElseThrow());
  }
}
