package dev.tokenguard.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * One HTTP request to a protected resource, as an adapter (a servlet filter, a JAX-RS filter, a
 * Spring Boot integration) exposes it to {@link ProtectedResource#decide(ResourceRequest)}. The
 * adapter translates; every rule (which header, which parameter, which answer) stays in this
 * package, so every adapter answers the same request the same way.
 *
 * <p>An implementation wraps one request and is used by one thread, like the request itself; it
 * need not be thread-safe. What a request may later need to prove more (the request URI for a DPoP
 * proof's {@code htu}, RFC 9449 section 4.3; the TLS client certificate for a certificate-bound
 * token, RFC 8705 section 3) will be added as default methods answering "not available", so an
 * adapter written now keeps compiling and such tokens are refused rather than accepted unproven.
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
}
