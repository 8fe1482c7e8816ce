package io.flotilla.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads {@code 60}, {@code 60s}, {@code 5m} or {@code 2h} as a duration. */
final class DurationConverter implements ITypeConverter<Duration> {
  private static final Pattern FORM = Pattern.compile("(\\d{1,9})([smh]?)");

  @Override
  public Duration convert(String value) {
    Matcher match = FORM.matcher(value.strip());
    if (!match.matches()) {
      throw new TypeConversionException("'" + value + "' is not a duration such as 60s or 5m");
    }
    long amount = Long.parseLong(match.group(1));
    return switch (match.group(2)) {
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofSeconds(amount);
    };
  }
}
