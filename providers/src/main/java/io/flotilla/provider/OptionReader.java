package io.flotilla.provider;

import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads and checks the values of a provider's options block in the site file. Every failure
 * is an {@link IllegalArgumentException} whose message starts with the provider's prefix and
 * the option, e.g. {@code "ec2 option region: must not be blank"}.
 *
 * <p>Stateless apart from the prefix; safe to share between threads.
 */
public final class OptionReader {

  private final String prefix;

  /** @param prefix starts every message, e.g. {@code "ec2 option"} */
  public OptionReader(String prefix) {
    this.prefix = Objects.requireNonNull(prefix, "prefix");
  }

  /** The error for option {@code key}, with the reason after the key. */
  public IllegalArgumentException invalid(String key, String reason) {
    return new IllegalArgumentException(prefix + " " + key + ": " + reason);
  }

  /** @throws IllegalArgumentException for the first key of {@code options} not in known */
  public void rejectUnknown(Map<String, ?> options, List<String> known) {
    for (String key : options.keySet()) {
      if (!known.contains(key)) {
        throw invalid(key, "unknown option; known options are " + known);
      }
    }
  }

  /** A non-blank string, stripped; absent is an error. */
  public String requiredString(Map<String, ?> options, String key) {
    return optionalString(options, key)
        .orElseThrow(() -> invalid(key, "missing; it is required"));
  }

  /** A non-blank string, stripped, or empty when the key is absent. */
  public Optional<String> optionalString(Map<String, ?> options, String key) {
    Object value = options.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String text)) {
      throw invalid(key, "must be a string, got " + typeName(value));
    }
    if (text.isBlank()) {
      throw invalid(key, "must not be blank");
    }
    return Optional.of(text.strip());
  }

  /** A list of strings, each stripped, or an empty list when the key is absent. */
  public List<String> stringList(Map<String, ?> options, String key) {
    Object value = options.get(key);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw invalid(key, "must be a list of strings, got " + typeName(value));
    }
    List<String> result = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof String item)) {
        throw invalid(key, "item " + i + " must be a string, got " + typeName(list.get(i)));
      }
      result.add(item.strip());
    }
    return result;
  }

  /** A whole number that fits in a long; YAML may hand over any integral box type. */
  public long integer(String key, Object value) {
    if (value instanceof Integer || value instanceof Long
        || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigInteger big && big.bitLength() < Long.SIZE) {
      return big.longValue();
    }
    throw invalid(key, "must be a whole number, got " + typeName(value) + " " + value);
  }

  /** A URI; only parsed here, the caller checks scheme, host and path. */
  public URI uri(String key, String value) {
    try {
      return new URI(value);
    } catch (URISyntaxException e) {
      throw invalid(key, "not a valid URL: " + e.getReason());
    }
  }

  /** @throws IllegalArgumentException quoting the value when it does not match pattern */
  public void checkPattern(String key, String value, Pattern pattern, String shape) {
    Objects.requireNonNull(value, key);
    if (!pattern.matcher(value).matches()) {
      throw invalid(key, "must be " + shape + ", got '" + value + "'");
    }
  }

  /**
   * The stripped value of an environment variable that holds a secret. The message names the
   * variable, never its value.
   */
  public String secretVariable(
      String key, String variable, Function<String, String> environment) {
    String value = environment.apply(variable);
    if (value == null || value.isBlank()) {
      throw invalid(key, "environment variable " + variable + " is not set or empty");
    }
    return value.strip();
  }

  /** How many calls may be in flight: 1 to max, or fallback when absent. */
  public int maxConcurrency(String key, Object value, int fallback, int max) {
    if (value == null) {
      return fallback;
    }
    long number = integer(key, value);
    if (number < 1 || number > max) {
      throw invalid(key, "must be between 1 and " + max + ", got " + number);
    }
    return (int) number;
  }

  /** Seconds above 0 and at most max, to the millisecond, or fallback when absent. */
  public Duration callTimeout(String key, Object value, Duration fallback, Duration max) {
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
      throw invalid(key, "must be a finite number, got " + typeName(value));
    }
    double seconds = number.doubleValue();
    if (seconds <= 0 || seconds > max.toSeconds()) {
      throw invalid(key, "must be above 0 and at most " + max.toSeconds() + " seconds, got "
          + value);
    }
    return Duration.ofMillis(Math.round(seconds * 1000));
  }

  /** The same range as {@link #maxConcurrency}, for a value built in code. */
  public void checkMaxConcurrency(String key, int maxConcurrency, int max) {
    if (maxConcurrency < 1 || maxConcurrency > max) {
      throw invalid(key, "must be between 1 and " + max + ", got " + maxConcurrency);
    }
  }

  /** The same range as {@link #callTimeout}, for a value built in code. */
  public void checkCallTimeout(String key, Duration callTimeout, Duration max) {
    if (callTimeout.isNegative() || callTimeout.isZero() || callTimeout.compareTo(max) > 0) {
      throw invalid(key, "must be above 0 and at most " + max.toSeconds() + " seconds, got "
          + callTimeout.toMillis() / 1e3);
    }
  }

  /** The simple class name of a value, for messages; never its content. */
  public static String typeName(Object value) {
    return value == null ? "null" : value.getClass().getSimpleName();
  }
}
