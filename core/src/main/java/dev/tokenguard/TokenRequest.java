package dev.tokenguard;

import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;

/**
 * One request to a protected resource, as the verifier needs to see it: the access token it
 * presents, how it presents it (the {@code Authorization} scheme, a DPoP proof, the TLS client
 * certificate), and what the resource requires of the token.
 *
 * <pre>{@code
 * AccessToken token = verifier.verify(
 *     TokenRequest.bearer(accessToken).requiring(Requirement.allScopes("read:patients")));
 * AccessToken bound = verifier.verify(
 *     TokenRequest.dpop(accessToken, dpopHeader, "GET", URI.create("https://api.example.com/patients"))
 *         .withClientCertificate(tlsClientCertificate));
 * }</pre>
 *
 * <p>A bearer token (RFC 6750) may be used by whoever holds it, so a token bound to a DPoP key
 * ({@code cnf.jkt}, RFC 9449 section 6) is refused when presented as one (section 7.2). A token
 * bound to a certificate ({@code cnf["x5t#S256"]}, RFC 8705 section 3) is accepted with either
 * scheme when the request carries that certificate ({@link #withClientCertificate}). Immutable and
 * thread-safe; {@link #requiring(Requirement)} and {@link #withClientCertificate} return a new
 * request. {@link #toString()} never shows the token or the proof.
 */
public final class TokenRequest {
  /** The HTTP authentication scheme the access token came with. Immutable and thread-safe. */
  public enum Scheme {
    /** {@code Authorization: Bearer} (RFC 6750 section 2.1), or a form or query token. */
    BEARER,
    /** {@code Authorization: DPoP}, with the proof in the {@code DPoP} header (RFC 9449 section 7.1). */
    DPOP
  }

  private final String accessToken;
  private final Requirement requirement;
  private final Scheme scheme;
  private final String proof;
  private final String method;
  private final URI uri;
  /** The target URI in the form {@code htu} is compared with (RFC 3986 section 6), or null for bearer requests. */
  final String normalizedUri;
  private final X509Certificate clientCertificate;

  private TokenRequest(String accessToken, Requirement requirement, Scheme scheme, String proof, String method, URI uri,
      String normalizedUri, X509Certificate clientCertificate) {
    this.accessToken = accessToken;
    this.requirement = requirement;
    this.scheme = scheme;
    this.proof = proof;
    this.method = method;
    this.uri = uri;
    this.normalizedUri = normalizedUri;
    this.clientCertificate = clientCertificate;
  }

  /**
   * A request presenting {@code accessToken} as a bearer token (RFC 6750), with no requirement
   * beyond a valid token.
   *
   * @param accessToken the compact JWT, without the {@code Bearer } prefix; checked by {@link
   *     AccessTokenVerifier#verify(TokenRequest)}, not here
   * @return the request; immutable
   * @throws NullPointerException when {@code accessToken} is null
   */
  public static TokenRequest bearer(String accessToken) {
    return new TokenRequest(Objects.requireNonNull(accessToken, "accessToken"), Requirement.none(), Scheme.BEARER, null,
        null, null, null, null);
  }

  /** As {@code bearer(accessToken).requiring(requirement)}, in one object. */
  static TokenRequest bearer(String accessToken, Requirement requirement) {
    return new TokenRequest(Objects.requireNonNull(accessToken, "accessToken"),
        Objects.requireNonNull(requirement, "requirement"), Scheme.BEARER, null, null, null, null, null);
  }

  /**
   * A request presenting {@code accessToken} with the {@code DPoP} scheme (RFC 9449 section 7.1),
   * with no requirement beyond a valid token.
   *
   * @param accessToken the compact JWT, without the {@code DPoP } prefix; checked by {@link
   *     AccessTokenVerifier#verify(TokenRequest)}, not here
   * @param proof the value of the request's one {@code DPoP} header (a compact JWT, section 4.1),
   *     or null when the request came with the {@code DPoP} scheme but without that header (it is
   *     then refused with {@code INVALID_DPOP_PROOF}). A request with several {@code DPoP} header
   *     lines is malformed (section 4.3 check 1): the HTTP layer refuses it before calling the
   *     verifier. Checked by the verifier, not here
   * @param method the request's HTTP method exactly as received, such as {@code GET}: the proof's
   *     {@code htm} must equal it, case-sensitively (RFC 9110 section 9.1)
   * @param uri the request's target URI as the client addressed it (RFC 9110 section 7.1): an
   *     absolute {@code http} or {@code https} URI with a host; behind a reverse proxy, the public
   *     URI, never one built from headers a client can set. Its query and fragment are ignored; it
   *     is compared with the proof's {@code htu} after RFC 3986 section 6.2.2 and 6.2.3
   *     normalisation (case of scheme and host, default port, percent-encoding, dot segments,
   *     empty path as {@code /})
   * @return the request; immutable
   * @throws NullPointerException when {@code accessToken}, {@code method} or {@code uri} is null
   * @throws IllegalArgumentException when {@code method} is not an RFC 9110 token or {@code uri}
   *     is not an absolute http(s) URI with a host
   */
  public static TokenRequest dpop(String accessToken, String proof, String method, URI uri) {
    Objects.requireNonNull(accessToken, "accessToken");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(uri, "uri");
    if (!isToken(method)) {
      throw new IllegalArgumentException("method must be an RFC 9110 token such as GET: " + Detail.quote(method));
    }
    String normalized = TargetUri.normalize(uri.toString());
    if (normalized == null) {
      throw new IllegalArgumentException("uri must be an absolute http or https URI with a host: " + Detail.quote(uri));
    }
    return new TokenRequest(accessToken, Requirement.none(), Scheme.DPOP, proof, method, uri, normalized, null);
  }

  /**
   * This request with {@code requirement} (replacing the one it had).
   *
   * @param requirement what the resource requires of the token
   * @return a new request with the same token and {@code requirement}
   * @throws NullPointerException when {@code requirement} is null
   */
  public TokenRequest requiring(Requirement requirement) {
    return new TokenRequest(accessToken, Objects.requireNonNull(requirement, "requirement"), scheme, proof, method, uri,
        normalizedUri, clientCertificate);
  }

  /**
   * This request with the client certificate of its mutual-TLS connection (RFC 8705 section 3):
   * the end-entity certificate the TLS layer saw (in a servlet container the first element of the
   * {@code jakarta.servlet.request.X509Certificate} attribute). A token bound to a certificate
   * ({@code cnf["x5t#S256"]}) is accepted only with the certificate whose SHA-256 thumbprint it
   * names; for other tokens the certificate is not used. Behind a TLS-terminating proxy, take it
   * only from a channel that proxy controls, never from a header a client can set.
   *
   * @param certificate the end-entity certificate of the TLS connection
   * @return a new request with the same token, presentation and requirement, and {@code certificate}
   * @throws NullPointerException when {@code certificate} is null
   */
  public TokenRequest withClientCertificate(X509Certificate certificate) {
    return new TokenRequest(accessToken, requirement, scheme, proof, method, uri, normalizedUri,
        Objects.requireNonNull(certificate, "certificate"));
  }

  /**
   * The access token presented, exactly as received.
   *
   * @return the access token, exactly as received
   */
  public String accessToken() {
    return accessToken;
  }

  /**
   * What the resource requires of the token; {@link Requirement#none()} unless set.
   *
   * @return the requirement; {@link Requirement#none()} unless set
   */
  public Requirement requirement() {
    return requirement;
  }

  /**
   * The scheme the token came with: {@link Scheme#BEARER} or {@link Scheme#DPOP}.
   *
   * @return the scheme
   */
  public Scheme scheme() {
    return scheme;
  }

  /**
   * For {@link Scheme#DPOP}: the {@code DPoP} header's value; empty when none came, and for bearer requests.
   *
   * @return the {@code DPoP} header's value; empty when none came, and for bearer requests
   */
  public Optional<String> dpopProof() {
    return Optional.ofNullable(proof);
  }

  /**
   * For {@link Scheme#DPOP}: the request's HTTP method; empty for bearer requests.
   *
   * @return the HTTP method; empty for bearer requests
   */
  public Optional<String> method() {
    return Optional.ofNullable(method);
  }

  /**
   * For {@link Scheme#DPOP}: the request's target URI, as given; empty for bearer requests.
   *
   * @return the target URI; empty for bearer requests
   */
  public Optional<URI> uri() {
    return Optional.ofNullable(uri);
  }

  /**
   * The TLS client certificate given with {@link #withClientCertificate}, if any.
   *
   * @return the client certificate; empty when none was given
   */
  public Optional<X509Certificate> clientCertificate() {
    return Optional.ofNullable(clientCertificate);
  }

  /**
   * Names the scheme, the method and the target URI without its query, whether a proof and a
   * client certificate came, and the requirement; never the token or the proof.
   */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("TokenRequest{");
    if (scheme == Scheme.BEARER) {
      s.append("Bearer");
    } else {
      s.append("DPoP ").append(method).append(' ').append(normalizedUri).append(proof == null ? ", no proof" : ", proof");
    }
    if (clientCertificate != null) {
      s.append(", client certificate");
    }
    return s.append(", requirement=").append(requirement).append('}').toString();
  }

  /** RFC 9110 section 5.6.2: {@code token = 1*tchar}. */
  private static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!tchar) {
        return false;
      }
    }
    return true;
  }
}
