package io.flotilla.guest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The one-line {@code $JOBOUTPUTS/shutdown_message} a guest writes when it stops: a
 * three-digit code from 100 to 999, one space, and a human-readable text (Vacuum Platform,
 * HSF-TN-2016-04). Only the code drives decisions; the text is kept for operators.
 *
 * @param code the reason class, e.g. 200 (work done) or 300 (no work)
 * @param text the printable description, at most {@value #MAX_TEXT_LENGTH} characters
 */
public record ShutdownMessage(int code, String text) {
  public static final int MAX_TEXT_LENGTH = 1000;

  private static final String FIELD = "shutdown_message: ";

  /**
   * Parses a message body as sent by a guest. Trailing CR and LF characters are tolerated,
   * since shell {@code echo} adds one.
   *
   * @throws GuestInputException naming the part that is wrong
   */
  public static ShutdownMessage parse(byte[] body) {
    String line = stripLineEnds(utf8(body));
    if (line.isEmpty()) {
      throw invalid("empty; expected one line '<code> <text>', e.g. '200 Success'");
    }
    if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
      throw invalid("more than one line; expected one line '<code> <text>'");
    }
    int code = code(line);
    if (line.length() == 3 || line.charAt(3) != ' ') {
      throw invalid("expected one space and a text after the code " + code);
    }
    String text = line.substring(4);
    checkText(text);
    return new ShutdownMessage(code, text);
  }

  private static int code(String line) {
    if (line.length() < 3 || !isDigits(line.substring(0, 3))) {
      throw invalid("code: expected three digits 100-999 at the start of the line");
    }
    int code = Integer.parseInt(line.substring(0, 3));
    if (code < 100) {
      throw invalid("code: " + line.substring(0, 3) + " is below 100; expected 100-999");
    }
    return code;
  }

  private static void checkText(String text) {
    if (text.isBlank()) {
      throw invalid("text: empty; expected a description after the code");
    }
    int length = text.codePointCount(0, text.length());
    if (length > MAX_TEXT_LENGTH) {
      throw invalid("text: " + length + " characters; at most " + MAX_TEXT_LENGTH
          + " are accepted");
    }
    int position = 0;
    for (int codePoint : text.codePoints().toArray()) {
      position++;
      if (!isPrintable(codePoint)) {
        throw invalid(String.format(Locale.ROOT,
            "text: non-printable character U+%04X at position %d", codePoint, position));
      }
    }
  }

  private static boolean isPrintable(int codePoint) {
    return switch (Character.getType(codePoint)) {
      case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
          Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR ->
          false;
      default -> true;
    };
  }

  private static boolean isDigits(String text) {
    return text.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  private static String stripLineEnds(String text) {
    int end = text.length();
    while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
      end--;
    }
    return text.substring(0, end);
  }

  private static String utf8(byte[] body) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body)).toString();
    } catch (CharacterCodingException e) {
      throw invalid("not valid UTF-8 text");
    }
  }

  private static GuestInputException invalid(String reason) {
    return new GuestInputException(FIELD + reason);
  }
}
