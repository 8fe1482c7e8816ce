package io.flotilla.trust;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes the JSON rendering of {@code hv:imagelist}. Tolerant where real lists differ
 * (numbers as strings, unknown {@code ad:*} keys, the old {@code hv:dn_x509} spelling,
 * timestamps without zone taken as UTC); strict about required keys and duplicate keys.
 */
final class ImageListJson {

  /** The decoded list plus warnings for images that were skipped. */
  record Decoded(ImageList list, List<String> warnings) {}

  private static final Logger log = LoggerFactory.getLogger(ImageListJson.class);
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final Pattern SHA512_HEX = Pattern.compile("[0-9a-fA-F]{128}");

  private final String source;

  ImageListJson(String source) {
    this.source = source;
  }

  Decoded decode(byte[] json) {
    JsonNode list = parse(json).path("hv:imagelist");
    if (!list.isObject()) {
      throw malformed("top-level key 'hv:imagelist' is missing or not an object");
    }
    JsonNode x509 = list.path("hv:endorser").path("hv:x509");
    List<String> warnings = new ArrayList<>();
    List<Image> images = decodeImages(requiredArray(list, "hv:images"), warnings);
    ImageList decoded = new ImageList(
        requiredText(list, "dc:identifier", "hv:imagelist"),
        optionalText(list, "dc:title"),
        optionalText(list, "hv:version"),
        requiredInstant(list, "dc:date:created"),
        requiredInstant(list, "dc:date:expires"),
        endorserDn(x509),
        requiredText(x509, "hv:ca", "hv:imagelist/hv:endorser/hv:x509"),
        optionalText(list, "hv:uri"),
        optionalText(list, "ad:vo"),
        images);
    return new Decoded(decoded, warnings);
  }

  private JsonNode parse(byte[] json) {
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw malformed("not valid JSON at line "
          + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ": "
          + e.getOriginalMessage());
    } catch (IOException e) {
      throw malformed("not valid JSON: " + e.getMessage());
    }
  }

  private String endorserDn(JsonNode x509) {
    String path = "hv:imagelist/hv:endorser/hv:x509";
    if (!x509.has("hv:dn") && x509.has("hv:dn_x509")) {
      return requiredText(x509, "hv:dn_x509", path);
    }
    return requiredText(x509, "hv:dn", path);
  }

  private JsonNode requiredArray(JsonNode list, String key) {
    JsonNode node = list.path(key);
    if (!node.isArray()) {
      throw malformed("required key 'hv:imagelist/" + key + "' is missing or not an array");
    }
    return node;
  }

  private List<Image> decodeImages(JsonNode array, List<String> warnings) {
    List<Image> images = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      JsonNode image = array.get(i).path("hv:image");
      try {
        images.add(decodeImage(image));
      } catch (InvalidImage e) {
        String warning = "image list " + source + ": image #" + i + " ("
            + image.path("dc:identifier").asText("no dc:identifier") + ") skipped: "
            + e.getMessage();
        log.warn("image list entry skipped source={} index={} reason={}", source, i,
            e.getMessage());
        warnings.add(warning);
      }
    }
    return images;
  }

  private Image decodeImage(JsonNode image) {
    if (!image.isObject()) {
      throw new InvalidImage("entry has no 'hv:image' object");
    }
    return new Image(
        imageText(image, "dc:identifier"),
        optionalText(image, "dc:title"),
        optionalText(image, "hv:version"),
        imageText(image, "hv:uri"),
        imageLong(image, "hv:size", true),
        sha512(image),
        optionalText(image, "hv:format"),
        optionalText(image, "hv:hypervisor"),
        optionalText(image, "sl:arch"),
        optionalText(image, "sl:os"),
        optionalInteger(image, "hv:core_minimum"),
        imageLong(image, "hv:ram_minimum", false),
        imageInstant(image, "dc:date:expires"));
  }

  private String sha512(JsonNode image) {
    String value = imageText(image, "sl:checksum:sha512");
    if (!SHA512_HEX.matcher(value).matches()) {
      throw new InvalidImage("'sl:checksum:sha512' is not 128 hex digits: '" + value + "'");
    }
    return value.toLowerCase(Locale.ROOT);
  }

  private String imageText(JsonNode image, String key) {
    String value = optionalText(image, key);
    if (value == null || value.isBlank()) {
      throw new InvalidImage("required key '" + key + "' is missing or empty");
    }
    return value;
  }

  private Long imageLong(JsonNode image, String key, boolean required) {
    JsonNode node = image.get(key);
    if (node == null || node.isNull()) {
      if (required) {
        throw new InvalidImage("required key '" + key + "' is missing");
      }
      return null;
    }
    Long value = asLong(node);
    if (value == null || value < 0) {
      throw new InvalidImage("'" + key + "' is not a non-negative integer: " + node);
    }
    return value;
  }

  private Integer optionalInteger(JsonNode image, String key) {
    Long value = imageLong(image, key, false);
    if (value != null && value > Integer.MAX_VALUE) {
      throw new InvalidImage("'" + key + "' is too large: " + value);
    }
    return value == null ? null : value.intValue();
  }

  private Instant imageInstant(JsonNode image, String key) {
    String value = optionalText(image, key);
    if (value == null) {
      return null;
    }
    Instant instant = parseInstant(value);
    if (instant == null) {
      throw new InvalidImage("'" + key + "' is not an ISO-8601 timestamp: '" + value + "'");
    }
    return instant;
  }

  private static Long asLong(JsonNode node) {
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return node.asLong();
    }
    if (node.isTextual()) {
      try {
        return Long.parseLong(node.asText().strip());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private String requiredText(JsonNode node, String key, String path) {
    String value = optionalText(node, key);
    if (value == null) {
      throw malformed("required key '" + path + "/" + key + "' is missing or not a string");
    }
    return value;
  }

  private Instant requiredInstant(JsonNode list, String key) {
    String value = requiredText(list, key, "hv:imagelist");
    Instant instant = parseInstant(value);
    if (instant == null) {
      throw malformed("'hv:imagelist/" + key + "' is not an ISO-8601 timestamp: '"
          + value + "'");
    }
    return instant;
  }

  private static String optionalText(JsonNode node, String key) {
    JsonNode value = node.get(key);
    return value == null || !value.isValueNode() || value.isNull() ? null : value.asText();
  }

  private static Instant parseInstant(String value) {
    try {
      return OffsetDateTime.parse(value.strip()).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return LocalDateTime.parse(value.strip()).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  private ImageListException malformed(String why) {
    return new ImageListException(ImageListException.Reason.MALFORMED_LIST,
        "image list " + source + ": " + why);
  }

  /** An image entry that is skipped; never escapes this class. */
  private static final class InvalidImage extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidImage(String message) {
      super(message, null, false, false);
    }
  }
}
