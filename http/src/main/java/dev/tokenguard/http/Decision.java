package dev.tokenguard.http;

import dev.tokenguard.AccessToken;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link ProtectedResource#decide(ResourceRequest)} concluded about one request: let it
 * through to the application, or answer it with an {@link Answer} without calling the application.
 *
 * <p>An allowed request carries the verified {@link AccessToken} (none on a public path or a CORS
 * preflight let through), the authentication scheme it came with ({@link #authenticationScheme()},
 * {@code Bearer} or {@code DPoP}) and the header fields to add to the application's response (for
 * example {@code Cache-Control: private} when the token came in the URI query, RFC 6750 section
 * 2.3; {@code DPoP-Nonce} and {@code Cache-Control: no-store} for a DPoP request when the resource
 * server hands out nonces, RFC 9449 section 8.2). A
 * request that is not allowed carries the complete answer, and the application must not be called:
 * usually a refusal (400, 401, 403, 503), but also the resource's own 200 answer with its
 * protected-resource metadata (RFC 9728) at the well-known path. An adapter writes every answer
 * the same way, whatever its status, so every front door serves the metadata without code of its
 * own. Either way, when the form body was read to look for a token, {@link #consumedBody()} holds
 * it.
 *
 * <p>Immutable and thread-safe.
 */
public final class Decision {
  private static final Decision PUBLIC = new Decision(null, null, null, Map.of(), null);

  private final AccessToken token;
  private final String scheme;
  private final Answer answer;
  private final Map<String, List<String>> responseHeaders;
  private final byte[] consumedBody;

  private Decision(AccessToken token, String scheme, Answer answer, Map<String, List<String>> responseHeaders,
      byte[] consumedBody) {
    this.token = token;
    this.scheme = scheme;
    this.answer = answer;
    this.responseHeaders = responseHeaders;
    this.consumedBody = consumedBody;
  }

  /** Allowed without a token: a public path, or a CORS preflight let through. */
  static Decision allowPublic() {
    return PUBLIC;
  }

  /** Allowed with {@code token}, which came with {@code scheme} ({@code Bearer} or {@code DPoP}). */
  static Decision allow(AccessToken token, String scheme, Map<String, List<String>> responseHeaders, byte[] consumedBody) {
    return new Decision(token, scheme, null, responseHeaders, consumedBody);
  }

  static Decision refuse(Answer answer, byte[] consumedBody) {
    return new Decision(null, null, answer, Map.of(), consumedBody);
  }

  /** Answered by the resource itself (the metadata document): not for the application, and not a refusal. */
  static Decision answered(Answer answer) {
    return new Decision(null, null, answer, Map.of(), null);
  }

  /**
   * Whether the request may reach the application.
   *
   * @return true when allowed; false when {@link #answer()} must be sent instead (a refusal, or the
   *     resource's own answer such as its metadata document)
   */
  public boolean isAllowed() {
    return answer == null;
  }

  /**
   * The verified token of an allowed request; empty on a public path, for a CORS preflight let
   * through, and for a refused request.
   *
   * @return the verified token, or empty
   */
  public Optional<AccessToken> accessToken() {
    return Optional.ofNullable(token);
  }

  /**
   * The authentication scheme the verified token of an allowed request came with, as RFC 6750
   * section 2.1 and RFC 9449 section 7.1 spell it: {@code Bearer} (also for a token in the query or
   * a form body) or {@code DPoP}; for a servlet's {@code getAuthType()} or a JAX-RS {@code
   * SecurityContext}'s {@code getAuthenticationScheme()}.
   *
   * @return {@code Bearer} or {@code DPoP}; empty on a public path, for a CORS preflight let
   *     through, and for a refused request
   */
  public Optional<String> authenticationScheme() {
    return Optional.ofNullable(scheme);
  }

  /**
   * For an allowed request, the header fields to add to the application's response, by name in
   * order, each with its values (unmodifiable): {@code Cache-Control: private} when the token came
   * in the URI query; for a DPoP request to a resource server that hands out nonces, {@code
   * DPoP-Nonce} with the current nonce and {@code Cache-Control: no-store}, so the client uses it
   * in its next proof and no cache serves the answer with a stale nonce (RFC 9449 sections 8.2
   * and 9). Empty otherwise.
   *
   * @return header name to its values, both in order; unmodifiable
   */
  public Map<String, List<String>> responseHeaders() {
    return responseHeaders;
  }

  /**
   * For a request that is not allowed, the answer to send (and nothing else): a refusal, or a 200
   * with the resource's metadata document. Write it whatever its status is.
   *
   * @return the answer, or empty when the request is allowed
   */
  public Optional<Answer> answer() {
    return Optional.ofNullable(answer);
  }

  /**
   * The request body as read through {@link ResourceRequest#body()} to look for an {@code
   * access_token} form parameter (a fresh copy on each call); empty when the body was not read.
   * For an allowed request the adapter must give exactly these bytes to the application, since the
   * request's own stream is consumed.
   *
   * @return the body bytes (at most 64 KiB), or empty
   */
  public Optional<byte[]> consumedBody() {
    return consumedBody == null ? Optional.empty() : Optional.of(consumedBody.clone());
  }

  /** {@code allowed (subject ...)}, {@code allowed (public)}, {@code refused 401 ...} or {@code answered 200 ...}; never the token. */
  @Override
  public String toString() {
    if (answer != null) {
      return (answer.status() < 400 ? "answered " : "refused ") + answer;
    }
    return token == null ? "allowed (public)" : "allowed (subject " + token.subject() + ")";
  }
}
