package dev.tokenguard.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The complete HTTP answer to a request the application must not see, ready for an adapter to
 * write as it is: the status, the header fields in order, the content type and the body.
 *
 * <p>Refusals follow RFC 6750 section 3, RFC 9470 section 3 and RFC 9449 sections 7 and 9: 400
 * {@code invalid_request}, 401 without an error (no credentials) or with {@code invalid_token},
 * {@code insufficient_user_authentication}, {@code invalid_dpop_proof} or {@code use_dpop_nonce},
 * 403 {@code insufficient_scope}, and 503 with {@code Retry-After} when the issuer's keys or the
 * DPoP replay store are unavailable. Every refusal carries at least one {@code WWW-Authenticate}
 * challenge (RFC 9110 section 11.6.1), one per scheme the resource accepts ({@code Bearer}, {@code
 * DPoP}); a header field may have several values (several challenges, one per value), which the
 * adapter must send as separate field lines or join with {@code ", "}, never replace. Its body is a small JSON object, {@code
 * {"error":"...","error_description":"..."}}, in ASCII. Nothing in an answer repeats what the
 * client sent.
 *
 * <p>The one answer that is not a refusal is 200 with the resource's protected-resource metadata
 * (RFC 9728 section 3.2), without a challenge. Adapters write it exactly as they write refusals;
 * for a {@code HEAD} request they send the status and header fields without the body (most
 * servers drop a {@code HEAD} body themselves).
 *
 * <p>Immutable and thread-safe.
 */
public final class Answer {
  static final String CONTENT_TYPE = "application/json";

  private final int status;
  private final Map<String, List<String>> headers;
  private final byte[] body;

  private Answer(int status, Map<String, List<String>> headers, byte[] body) {
    this.status = status;
    this.headers = headers;
    this.body = body;
  }

  /**
   * The HTTP status code.
   *
   * @return 400, 401, 403 or 503 for a refusal; 200 for the metadata document
   */
  public int status() {
    return status;
  }

  /**
   * The header fields to send, by name in the order to send them, each with its values in order.
   * A refusal: {@code WWW-Authenticate} (one value per challenge), {@code Retry-After} (seconds, on
   * a 503), {@code DPoP-Nonce} (on a {@code use_dpop_nonce} 401, RFC 9449 section 9), {@code
   * Cache-Control: no-store} and {@code X-Content-Type-Options: nosniff}. The metadata document:
   * {@code Cache-Control: public, max-age=3600}, {@code X-Content-Type-Options: nosniff} and {@code
   * Access-Control-Allow-Origin: *}. Names are spelled as listed here; more may be added, so write
   * every one. The map and its lists are
   * unmodifiable. {@code Content-Type} is not among them (see {@link #contentType()}).
   *
   * @return header name to its values, both in sending order; unmodifiable
   */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /**
   * The media type of {@link #body()} (RFC 8259; the body is ASCII, so also valid UTF-8).
   *
   * @return {@code application/json}
   */
  public String contentType() {
    return CONTENT_TYPE;
  }

  /**
   * The body to send.
   *
   * @return a JSON object of printable ASCII (a refusal's under 1 KiB; the metadata document as
   *     large as its members); a fresh copy on each call
   */
  public byte[] body() {
    return body.clone();
  }

  /** Status, headers and body, for logs and test failures; holds nothing the client sent. */
  @Override
  public String toString() {
    return status + " " + headers + " " + new String(body, StandardCharsets.US_ASCII);
  }

  /** Collects an answer; header names in order of their first value. */
  static final class Builder {
    private final int status;
    private final Map<String, List<String>> headers = new LinkedHashMap<>();
    private String body = "{}";

    Builder(int status) {
      this.status = status;
    }

    Builder header(String name, String value) {
      headers.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
      return this;
    }

    Builder body(String json) {
      this.body = json;
      return this;
    }

    Answer build() {
      Map<String, List<String>> copy = new LinkedHashMap<>();
      headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
      return new Answer(status, Collections.unmodifiableMap(copy), body.getBytes(StandardCharsets.US_ASCII));
    }
  }
}
