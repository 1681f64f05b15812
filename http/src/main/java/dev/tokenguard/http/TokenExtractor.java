package dev.tokenguard.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Finds the access token of a request, strictly per RFC 6750 section 2: the {@code Authorization}
 * header always ({@link AuthorizationHeader}, with the {@code Bearer} scheme and, where the
 * resource accepts it, RFC 9449's {@code DPoP}); the {@code access_token} form-body (section 2.2)
 * and URI-query (section 2.3) parameters, bearer methods, only when enabled. A request using more than one method,
 * repeating {@code access_token}, carrying two {@code Authorization} lines or a malformed one is
 * an {@code invalid_request} (section 3.1); a query token is refused while the query method is
 * off, since it is a leak either way. The query string and the form body are parsed here, never
 * through a framework's parameter map (which merges both and would hide a second copy). Immutable
 * and thread-safe.
 */
final class TokenExtractor {
  static final String PARAMETER = "access_token";
  /** Largest form body read when looking for {@code access_token}. */
  static final int MAX_FORM_BYTES = 64 * 1024;
  /** Largest oversized form body read to its end (and dropped) before answering 400. */
  static final int MAX_DRAIN_BYTES = 1024 * 1024;

  /** The schemes whose credentials are an access token where DPoP is not accepted. */
  static final List<String> BEARER_ONLY = List.of(Challenge.BEARER);
  /** The schemes whose credentials are an access token where DPoP is accepted (RFC 9449 section 7.1). */
  static final List<String> BEARER_AND_DPOP = List.of(Challenge.BEARER, Challenge.DPOP);

  private static final List<String> FORM_METHODS = List.of("POST", "PUT", "PATCH");

  enum Outcome {
    /** No credentials of an accepted scheme (none at all, or only another scheme such as Basic). */
    NONE,
    /** One token, by one method, syntactically a b64token. */
    TOKEN,
    /** 400 invalid_request; {@link Result#description} says why. */
    INVALID_REQUEST,
    /** A token whose characters are not a b64token: 401 invalid_token. */
    MALFORMED_TOKEN
  }

  /** The outcome, the token and how it came, and the form body when it was read. */
  static final class Result {
    final Outcome outcome;
    final String token;
    final boolean fromQuery;
    final String description;
    /**
     * The scheme the credentials came with ({@code Bearer} for the query and form methods): for
     * {@link Outcome#TOKEN} and {@link Outcome#MALFORMED_TOKEN}; for {@link
     * Outcome#INVALID_REQUEST} the scheme the malformed credentials name, or {@link
     * Refusals#EVERY_SCHEME} when the request as a whole is malformed; null for {@link Outcome#NONE}.
     */
    final String scheme;
    /** The form body read from the request (to be replayed), or null when none was read. */
    final byte[] body;

    private Result(Outcome outcome, String token, boolean fromQuery, String description, String scheme, byte[] body) {
      this.outcome = outcome;
      this.token = token;
      this.fromQuery = fromQuery;
      this.description = description;
      this.scheme = scheme;
      this.body = body;
    }
  }

  final boolean queryAllowed;
  final boolean formAllowed;

  TokenExtractor(boolean queryAllowed, boolean formAllowed) {
    this.queryAllowed = queryAllowed;
    this.formAllowed = formAllowed;
  }

  /** The credentials of {@code request}, with {@code schemes} (names as registered) accepted in the {@code Authorization} header. */
  Result extract(ResourceRequest request, List<String> schemes) throws IOException {
    List<String> headers = request.headers("Authorization");
    if (headers.size() > 1) {
      return invalid("The request carries more than one Authorization header.", Refusals.EVERY_SCHEME, null);
    }
    AuthorizationHeader header = headers.isEmpty() ? null : AuthorizationHeader.parse(headers.get(0), schemes);
    boolean headerMethod = header != null && header.kind != AuthorizationHeader.Kind.OTHER_SCHEME;

    List<String> queryTokens = FormEncoding.values(request.rawQuery().orElse(null), PARAMETER);

    byte[] body = null;
    List<String> formTokens = List.of();
    if (formAllowed && isFormRequest(request)) {
      body = readBody(request);
      if (body == null) {
        return invalid("The form body is too large to look for an access token.", Refusals.EVERY_SCHEME, null);
      }
      if (isAscii(body)) {
        formTokens = FormEncoding.values(new String(body, StandardCharsets.US_ASCII), PARAMETER);
      }
    }

    if (queryTokens.size() > 1 || formTokens.size() > 1) {
      return invalid("The request repeats the access_token parameter.", Refusals.EVERY_SCHEME, body);
    }
    int methods = (headerMethod ? 1 : 0) + queryTokens.size() + formTokens.size();
    if (methods > 1) {
      return invalid("The request uses more than one method to send an access token.", Refusals.EVERY_SCHEME, body);
    }
    if (!queryTokens.isEmpty() && !queryAllowed) {
      return invalid("Access tokens in the URI query are not accepted; send an Authorization: Bearer header.", Challenge.BEARER, body);
    }
    if (headerMethod) {
      return header.kind == AuthorizationHeader.Kind.MALFORMED
          ? invalid(header.description, header.scheme != null ? header.scheme : Refusals.EVERY_SCHEME, body)
          : token(header.credentials, header.scheme, false, body);
    }
    if (!queryTokens.isEmpty()) {
      return token(queryTokens.get(0), Challenge.BEARER, true, body);
    }
    if (!formTokens.isEmpty()) {
      return token(formTokens.get(0), Challenge.BEARER, false, body);
    }
    return new Result(Outcome.NONE, null, false, null, null, body);
  }

  private static Result token(String value, String scheme, boolean fromQuery, byte[] body) {
    if (value != null && value.isEmpty()) {
      return invalid("The access_token parameter is empty.", scheme, body);
    }
    if (value == null || !AuthorizationHeader.isB64Token(value)) {
      return new Result(Outcome.MALFORMED_TOKEN, null, false, null, scheme, body);
    }
    return new Result(Outcome.TOKEN, value, fromQuery, null, scheme, body);
  }

  private static Result invalid(String description, String scheme, byte[] body) {
    return new Result(Outcome.INVALID_REQUEST, null, false, description, scheme, body);
  }

  /** RFC 6750 section 2.2: a method with body semantics and exactly the form content type. */
  private static boolean isFormRequest(ResourceRequest request) {
    if (!FORM_METHODS.contains(request.method())) {
      return false;
    }
    String type = request.contentType().orElse(null);
    if (type == null) {
      return false;
    }
    int semicolon = type.indexOf(';');
    String mediaType = (semicolon >= 0 ? type.substring(0, semicolon) : type).trim().toLowerCase(Locale.ROOT);
    return mediaType.equals("application/x-www-form-urlencoded");
  }

  /**
   * The body, or null when it is larger than {@link #MAX_FORM_BYTES}. A body over the limit is
   * still read to its end (and dropped) up to {@link #MAX_DRAIN_BYTES}, so the server can send
   * the 400 on a clean connection: left unread, the connection would be closed under the client,
   * which then often sees a reset instead of the answer. A larger body (by its declared
   * {@code Content-Length}, or once that much was read) is left unread.
   */
  private static byte[] readBody(ResourceRequest request) throws IOException {
    long declared = declaredLength(request);
    if (declared > MAX_DRAIN_BYTES) {
      return null;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 && declared <= MAX_FORM_BYTES ? (int) declared : 256);
    byte[] buffer = new byte[8192];
    long total = 0;
    InputStream in = request.body();
    int n;
    while ((n = in.read(buffer)) != -1) {
      total += n;
      if (total <= MAX_FORM_BYTES) {
        out.write(buffer, 0, n);
      } else if (total > MAX_DRAIN_BYTES) {
        return null;
      }
    }
    return total > MAX_FORM_BYTES ? null : out.toByteArray();
  }

  /** The {@code Content-Length} when exactly one well-formed value is given, else -1. */
  private static long declaredLength(ResourceRequest request) {
    List<String> values = request.headers("Content-Length");
    if (values.size() != 1) {
      return -1;
    }
    try {
      return Long.parseLong(values.get(0).trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static boolean isAscii(byte[] body) {
    for (byte b : body) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }
}
