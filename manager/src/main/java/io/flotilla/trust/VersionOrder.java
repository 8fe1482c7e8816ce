package io.flotilla.trust;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Orders version strings: runs of digits compare as numbers, other runs as text, so
 * {@code 1.10 > 1.9}, {@code 20150618211400 > 2015061821140} and {@code 3.3.0-2 > 3.3.0-1}.
 * When one version is a prefix of the other, the longer one is greater. A digit run compared
 * with a text run compares as text.
 */
public final class VersionOrder implements Comparator<String> {

  /** The shared instance; stateless. */
  public static final VersionOrder INSTANCE = new VersionOrder();

  private VersionOrder() {}

  @Override
  public int compare(String first, String second) {
    List<String> a = runs(first);
    List<String> b = runs(second);
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int order = compareRun(a.get(i), b.get(i));
      if (order != 0) {
        return order;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  private static int compareRun(String a, String b) {
    if (isDigits(a) && isDigits(b)) {
      return new BigInteger(a).compareTo(new BigInteger(b));
    }
    return a.compareTo(b);
  }

  private static List<String> runs(String version) {
    List<String> runs = new ArrayList<>();
    int start = 0;
    for (int i = 1; i <= version.length(); i++) {
      if (i == version.length()
          || Character.isDigit(version.charAt(i)) != Character.isDigit(version.charAt(i - 1))) {
        runs.add(version.substring(start, i));
        start = i;
      }
    }
    return runs;
  }

  private static boolean isDigits(String run) {
    return !run.isEmpty() && run.chars().allMatch(c -> c >= '0' && c <= '9');
  }
}
