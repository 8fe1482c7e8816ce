package io.flotilla.provider.opennebula;

import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that turns OpenNebula's error codes, XML-RPC faults and transport failures
 * into {@link CloudException} kinds.
 *
 * <p>Codes from OpenNebula's XML-RPC API reference (the same table in 4.x to 7.x; ALLOCATE
 * and LOCKED appeared in 5.x): 0x0100 AUTHENTICATION, 0x0200 AUTHORIZATION, 0x0400
 * NO_EXISTS, 0x0800 ACTION (wrong state), 0x1000 XML_RPC_API (wrong parameters), 0x2000
 * INTERNAL, 0x4000 ALLOCATE, 0x8000 LOCKED.
 *
 * <p>A quota refusal does not have a code of its own: oned answers it from
 * {@code Request::quota_authorization} with AUTHORIZATION and a message such as
 * {@code limit of 2 reached for VMS quota in VM}; so an AUTHORIZATION or ALLOCATE failure
 * whose message mentions a quota is QUOTA_EXCEEDED.
 */
final class OpenNebulaErrors {

  static final int SUCCESS = 0x0000;
  static final int AUTHENTICATION = 0x0100;
  static final int AUTHORIZATION = 0x0200;
  static final int NO_EXISTS = 0x0400;
  static final int ACTION = 0x0800;
  static final int XML_RPC_API = 0x1000;
  static final int INTERNAL = 0x2000;
  static final int ALLOCATE = 0x4000;
  static final int LOCKED = 0x8000;

  private static final Pattern QUOTA = Pattern.compile("quota", Pattern.CASE_INSENSITIVE);
  private static final Pattern QUOTA_METRIC =
      Pattern.compile("reached for ([A-Z_]+) quota", Pattern.CASE_INSENSITIVE);

  private OpenNebulaErrors() {}

  /** OpenNebula's name for an error code, or the code in hex when it is not documented. */
  static String codeName(int code) {
    return switch (code) {
      case SUCCESS -> "SUCCESS";
      case AUTHENTICATION -> "AUTHENTICATION";
      case AUTHORIZATION -> "AUTHORIZATION";
      case NO_EXISTS -> "NO_EXISTS";
      case ACTION -> "ACTION";
      case XML_RPC_API -> "XML_RPC_API";
      case INTERNAL -> "INTERNAL";
      case ALLOCATE -> "ALLOCATE";
      case LOCKED -> "LOCKED";
      default -> "UNDOCUMENTED";
    };
  }

  /** The kind for an OpenNebula failure triple {@code [false, message, code]}. */
  static Kind kindOf(int code, String message) {
    boolean quota = message != null && QUOTA.matcher(message).find();
    return switch (code) {
      case AUTHORIZATION -> quota ? Kind.QUOTA_EXCEEDED : Kind.AUTH;
      case ALLOCATE -> quota ? Kind.QUOTA_EXCEEDED : Kind.INVALID_REQUEST;
      case AUTHENTICATION -> Kind.AUTH;
      case NO_EXISTS -> Kind.NOT_FOUND;
      case XML_RPC_API -> Kind.INVALID_REQUEST;
      // ACTION is "wrong state to perform action": the state moves on, so retrying helps.
      case ACTION, INTERNAL, LOCKED -> Kind.TRANSIENT;
      default -> Kind.TRANSIENT;
    };
  }

  /** The exception for an OpenNebula failure triple. */
  static CloudException fromResult(String cloud, String method, int code, String message) {
    Kind kind = kindOf(code, message);
    String text = "opennebula cloud " + cloud + ": " + method + " failed with "
        + codeName(code) + String.format(" (0x%04X)", code) + ": " + message;
    String resource = kind == Kind.QUOTA_EXCEEDED ? quotaResource(message) : null;
    return new CloudException(kind, text, resource, null, null);
  }

  /** The exception for a failure below OpenNebula: HTTP, envelope, fault or network. */
  static CloudException fromTransport(String cloud, String method, XmlRpcException error) {
    String text = "opennebula cloud " + cloud + ": " + method + " failed: "
        + error.getMessage();
    return switch (error.reason()) {
      case HTTP_STATUS -> fromHttpStatus(error, text);
      // xmlrpc-c faults mean an unknown method or a parameter list of the wrong shape.
      case FAULT -> new CloudException(Kind.INVALID_REQUEST, text, error);
      // A truncated or garbled answer (a proxy's error page, say) may not happen again.
      case MALFORMED, TOO_LARGE, TIMEOUT, IO -> new CloudException(Kind.TRANSIENT, text, error);
    };
  }

  private static CloudException fromHttpStatus(XmlRpcException error, String text) {
    int status = error.code();
    Kind kind;
    if (status == 429 || status == 503) {
      kind = Kind.THROTTLED;
    } else if (status == 401 || status == 403) {
      kind = Kind.AUTH;
    } else if (status >= 500) {
      kind = Kind.TRANSIENT;
    } else {
      // 404 and friends: the endpoint is not an OpenNebula /RPC2; retrying cannot help.
      kind = Kind.INVALID_REQUEST;
    }
    return new CloudException(kind, text, null, error.retryAfter(), error);
  }

  /** Names the quota in the portable words: instances, cores, ram, disk, or OpenNebula's. */
  static String quotaResource(String message) {
    Matcher matcher = QUOTA_METRIC.matcher(message == null ? "" : message);
    if (!matcher.find()) {
      return "unknown";
    }
    String metric = matcher.group(1).toUpperCase(Locale.ROOT);
    return switch (metric) {
      case "VMS", "RUNNING_VMS" -> "instances";
      case "CPU", "RUNNING_CPU" -> "cores";
      case "MEMORY", "RUNNING_MEMORY" -> "ram";
      case "SYSTEM_DISK_SIZE", "SIZE" -> "disk";
      default -> metric.toLowerCase(Locale.ROOT);
    };
  }
}
