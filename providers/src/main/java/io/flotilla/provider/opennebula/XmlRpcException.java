package io.flotilla.provider.opennebula;

import java.time.Duration;

/**
 * An XML-RPC call failed below OpenNebula's own result triple: the transport, the envelope
 * or an XML-RPC fault. {@link OpenNebulaErrors} turns it into a CloudException.
 */
final class XmlRpcException extends RuntimeException {

  /** Where the call failed. */
  enum Reason {
    /** The server answered with a status other than 200. */
    HTTP_STATUS,
    /** The server answered with a {@code <fault>}. */
    FAULT,
    /** The body was not a well-formed, acceptable XML-RPC document. */
    MALFORMED,
    /** The body was larger than the client accepts. */
    TOO_LARGE,
    /** The call did not complete within its timeout. */
    TIMEOUT,
    /** Connecting, sending or receiving failed. */
    IO
  }

  private final Reason reason;
  private final int code;
  private final Duration retryAfter;

  private XmlRpcException(
      Reason reason, int code, Duration retryAfter, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.code = code;
    this.retryAfter = retryAfter;
  }

  static XmlRpcException httpStatus(int status, Duration retryAfter, String message) {
    return new XmlRpcException(Reason.HTTP_STATUS, status, retryAfter, message, null);
  }

  static XmlRpcException fault(int faultCode, String faultString) {
    return new XmlRpcException(Reason.FAULT, faultCode, null,
        "XML-RPC fault " + faultCode + ": " + faultString, null);
  }

  static XmlRpcException malformed(String message, Throwable cause) {
    return new XmlRpcException(Reason.MALFORMED, 0, null, message, cause);
  }

  static XmlRpcException tooLarge(String message) {
    return new XmlRpcException(Reason.TOO_LARGE, 0, null, message, null);
  }

  static XmlRpcException timeout(String message, Throwable cause) {
    return new XmlRpcException(Reason.TIMEOUT, 0, null, message, cause);
  }

  static XmlRpcException io(String message, Throwable cause) {
    return new XmlRpcException(Reason.IO, 0, null, message, cause);
  }

  Reason reason() {
    return reason;
  }

  /** The HTTP status for {@link Reason#HTTP_STATUS}, the fault code for a fault, else 0. */
  int code() {
    return code;
  }

  /** The server's Retry-After, when it sent one with an HTTP error; else null. */
  Duration retryAfter() {
    return retryAfter;
  }
}
