package dev.tokenguard.http;

import java.io.IOException;
import java.io.InputStream;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * One HTTP request to a protected resource, as an adapter (a servlet filter, a JAX-RS filter, a
 * Spring Boot integration) exposes it to {@link ProtectedResource#decide(ResourceRequest)}. The
 * adapter translates; every rule (which header, which parameter, which answer) stays in this
 * package, so every adapter answers the same request the same way.
 *
 * <p>An implementation wraps one request and is used by one thread, like the request itself; it
 * need not be thread-safe. What a sender-constrained token needs besides ({@link #rawPath()}, the
 * request target a DPoP proof's {@code htu} names, RFC 9449 section 4.3; {@link
 * #clientCertificate()}, the TLS client certificate a certificate-bound token names, RFC 8705
 * section 3) are default methods answering "not available": an adapter that does not implement
 * them keeps compiling, and such tokens are refused rather than accepted unproven.
 */
public interface ResourceRequest {

  /**
   * The request method exactly as sent (RFC 9110 section 9).
   *
   * @return for example {@code GET} or {@code POST}
   */
  String method();

  /**
   * The path the application routes this request on, starting with {@code /}: within the
   * application (without a context path), percent-decoded, without path parameters ({@code ;...})
   * and without dot segments, as the framework itself resolves it (for servlets: servlet path plus
   * path info). Access rules are matched against this path, so it must be the same path that
   * selects the code that serves the request; a raw request URI would let {@code /public/../admin}
   * reach {@code /admin} under the rule of {@code /public}.
   *
   * @return the path; {@code ""} is read as {@code /}
   */
  String path();

  /**
   * Every value of the header field {@code name} (compared case-insensitively, RFC 9110 section
   * 5.1), one element per field line, in the order received; empty when the request has none.
   * Adapters must not join several lines into one value: two {@code Authorization} lines are a
   * malformed request (RFC 9110 section 5.3) and are answered as such.
   *
   * @param name a header field name, such as {@code Authorization}
   * @return the values, one per field line; empty when there is none
   */
  List<String> headers(String name);

  /**
   * The query of the request URI without the {@code ?}, still percent-encoded exactly as received
   * (RFC 3986 section 3.4); empty when the URI has no query. The {@code access_token} parameter is
   * found here (RFC 6750 section 2.3), never through a framework's merged parameter map.
   *
   * @return the raw query, or empty
   */
  Optional<String> rawQuery();

  /**
   * The {@code Content-Type} of the request body.
   *
   * @return for example {@code application/x-www-form-urlencoded; charset=UTF-8}; empty when absent
   */
  Optional<String> contentType();

  /**
   * The request body, read by the caller. Called at most once per decision, and only when the
   * form-body method is on ({@link ProtectedResource.Builder#acceptFormBody()}) and the request is
   * a POST, PUT or PATCH with the content type {@code application/x-www-form-urlencoded} (RFC 6750
   * section 2.2). {@link ProtectedResource} reads at most 64 KiB of it for the token, or up to 1 MiB
   * to drop an oversized body before answering 400; it does not close the stream. An allowed {@link
   * Decision} then carries the bytes read in {@link Decision#consumedBody()}: the adapter must give
   * them to the application in place of the consumed stream.
   *
   * @return the body stream, positioned at its start
   * @throws IOException when the body cannot be read
   */
  InputStream body() throws IOException;

  /**
   * The path of the request's target URI exactly as the client sent it (RFC 9110 section 7.1,
   * RFC 3986 section 3.3): still percent-encoded, with any path parameters, without the query,
   * and relative to the application, that is what follows the resource's {@link
   * ProtectedResource.Builder#publicUrl public URL}: for a servlet, {@code getRequestURI()}
   * without the context path; for Jakarta REST, the request URI's raw path after the application's
   * base URI. The HTTP layer appends it to the public URL to build the target URI that a DPoP
   * proof's {@code htu} must name (RFC 9449 section 4.3 check 9, compared after RFC 3986 section
   * 6 normalisation); the request's {@code Host} and forwarding headers are never used for it.
   *
   * @return the raw path, starting with {@code /}; empty when the adapter cannot tell it (the
   *     default), and a request with the {@code DPoP} scheme is then refused with {@code
   *     invalid_dpop_proof}
   */
  default Optional<String> rawPath() {
    return Optional.empty();
  }

  /**
   * The end-entity certificate the client presented in the TLS handshake of this request's
   * connection (mutual TLS, RFC 8705 section 3), as the TLS layer saw it: for a servlet, the first
   * element of the request attribute {@code jakarta.servlet.request.X509Certificate}. Behind a
   * TLS-terminating proxy, only a certificate the proxy hands over on a channel clients cannot
   * write to (never a request header a client can set) may be returned.
   *
   * @return the client certificate; empty when the connection had none or the adapter cannot tell
   *     (the default), and a certificate-bound token ({@code cnf["x5t#S256"]}) is then refused
   *     with 401 {@code invalid_token}
   */
  default Optional<X509Certificate> clientCertificate() {
    return Optional.empty();
  }
}
