package dev.tokenguard.servlet;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One refusal: the status, the RFC 6750 {@code WWW-Authenticate} challenge and the small JSON
 * body. Every value written here is either fixed by this package or checked when the filter was
 * configured, and is escaped again on output, so nothing a client sent can shape a header.
 * Immutable.
 */
final class Challenge {
  static final String INVALID_REQUEST = "invalid_request";
  static final String INVALID_TOKEN = "invalid_token";
  static final String INSUFFICIENT_SCOPE = "insufficient_scope";
  static final String TEMPORARILY_UNAVAILABLE = "temporarily_unavailable";

  static final String NO_CREDENTIALS_DESCRIPTION = "This request requires an access token.";

  final int status;
  /** The challenge's {@code error}; null for "no credentials" and "keys unavailable". */
  final String challengeError;
  /** The body's {@code error}; null only for "no credentials". */
  final String bodyError;
  final String description;
  final List<String> scopes;
  /** Seconds for {@code Retry-After}, or -1. */
  final long retryAfterSeconds;

  private Challenge(int status, String challengeError, String bodyError, String description, List<String> scopes, long retryAfterSeconds) {
    this.status = status;
    this.challengeError = challengeError;
    this.bodyError = bodyError;
    this.description = description;
    this.scopes = List.copyOf(scopes);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** No bearer credentials at all (RFC 6750 3.1: no error information in the challenge). */
  static Challenge noCredentials() {
    return new Challenge(401, null, null, NO_CREDENTIALS_DESCRIPTION, List.of(), -1);
  }

  /** A malformed request: 400 {@code invalid_request}. */
  static Challenge invalidRequest(String description) {
    return new Challenge(400, INVALID_REQUEST, INVALID_REQUEST, description, List.of(), -1);
  }

  /** A token that cannot be accepted: 401 {@code invalid_token}. */
  static Challenge invalidToken(String description) {
    return new Challenge(401, INVALID_TOKEN, INVALID_TOKEN, description, List.of(), -1);
  }

  /** A valid token without the scope the request needs: 403 {@code insufficient_scope}. */
  static Challenge insufficientScope(String description, List<String> scopes) {
    return new Challenge(403, INSUFFICIENT_SCOPE, INSUFFICIENT_SCOPE, description, scopes, -1);
  }

  /** The issuer's keys cannot be had: 503 with {@code Retry-After}; the challenge blames nobody. */
  static Challenge unavailable(String description, long retryAfterSeconds) {
    return new Challenge(503, null, TEMPORARILY_UNAVAILABLE, description, List.of(), retryAfterSeconds);
  }

  /** The {@code WWW-Authenticate} value: {@code Bearer realm="..."} plus the error attributes. */
  String header(String realm) {
    StringBuilder sb = new StringBuilder("Bearer realm=");
    appendQuoted(sb, realm);
    if (challengeError != null) {
      sb.append(", error=\"").append(challengeError).append('"');
      sb.append(", error_description=\"").append(restrict(description, true)).append('"');
      if (!scopes.isEmpty()) {
        StringBuilder joined = new StringBuilder();
        for (String scope : scopes) {
          String s = restrict(scope, false);
          if (!s.isEmpty()) {
            if (joined.length() > 0) {
              joined.append(' ');
            }
            joined.append(s);
          }
        }
        sb.append(", scope=\"").append(joined).append('"');
      }
    }
    return sb.toString();
  }

  /** The JSON body: {@code {"error":"...","error_description":"..."}} (no {@code error} for no credentials). */
  String body() {
    StringBuilder sb = new StringBuilder("{");
    if (bodyError != null) {
      sb.append("\"error\":");
      appendJsonString(sb, bodyError);
      sb.append(',');
    }
    sb.append("\"error_description\":");
    appendJsonString(sb, description);
    if (!scopes.isEmpty()) {
      sb.append(",\"scope\":");
      appendJsonString(sb, String.join(" ", scopes));
    }
    return sb.append('}').toString();
  }

  /** Writes the whole answer; the response must not be committed yet. */
  void send(HttpServletResponse response, String realm) throws IOException {
    byte[] bytes = body().getBytes(StandardCharsets.UTF_8);
    response.resetBuffer();
    response.setStatus(status);
    response.setHeader("WWW-Authenticate", header(realm));
    if (retryAfterSeconds >= 0) {
      response.setHeader("Retry-After", Long.toString(retryAfterSeconds));
    }
    response.setHeader("Cache-Control", "no-store");
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
    response.flushBuffer();
  }

  /** RFC 9110 quoted-string: printable ASCII, with {@code "} and {@code \} escaped; anything else dropped. */
  static void appendQuoted(StringBuilder sb, String value) {
    sb.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c >= 0x20 && c <= 0x7e) {
        sb.append(c);
      }
    }
    sb.append('"');
  }

  /**
   * Keeps only the characters RFC 6750 section 3 allows: for {@code error_description}
   * %x20-21 / %x23-5B / %x5D-7E; for a scope token the same without the space.
   */
  static String restrict(String value, boolean allowSpace) {
    StringBuilder sb = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (isScopeChar(c) || (allowSpace && c == ' ')) {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** RFC 6750 scope-token characters: %x21 / %x23-5B / %x5D-7E. */
  static boolean isScopeChar(char c) {
    return c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
  }

  /** A JSON string; everything outside printable ASCII, and {@code < > &}, as {@code \\uXXXX}. */
  static void appendJsonString(StringBuilder sb, String value) {
    sb.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e || c == '<' || c == '>' || c == '&') {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    sb.append('"');
  }
}
