package dev.tokenguard.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;

/**
 * Fetches small JSON documents (discovery, JWKS) with hard limits: https only (loopback
 * excepted), a deadline for the whole exchange, a maximum body size, no redirects. Thread-safe.
 * <strong>Not API.</strong>
 */
public final class BoundedHttpFetcher {
  /** A fetch that failed; the message is safe to log (no body content). */
  public static final class FetchException extends IOException {
    private static final long serialVersionUID = 1L;
    private final boolean retryable;
    private final int status;

    public FetchException(String message, boolean retryable, int status) {
      super(message, null);
      this.retryable = retryable;
      this.status = status;
    }

    /** True for timeouts, connection failures and HTTP 5xx: worth one more try. */
    public boolean retryable() {
      return retryable;
    }

    /** The HTTP status, or 0 when no response was received. */
    public int status() {
      return status;
    }
  }

  /** A successful response: body and the {@code Cache-Control: max-age}, if any. */
  public static final class Response {
    private final byte[] body;
    private final OptionalLong maxAgeSeconds;

    Response(byte[] body, OptionalLong maxAgeSeconds) {
      this.body = body;
      this.maxAgeSeconds = maxAgeSeconds;
    }

    public String bodyAsString() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public OptionalLong maxAgeSeconds() {
      return maxAgeSeconds;
    }
  }

  private final HttpClient client;
  private final Duration timeout;
  private final int maxBytes;

  public BoundedHttpFetcher(HttpClient client, Duration timeout, int maxBytes) {
    this.client = client;
    this.timeout = timeout;
    this.maxBytes = maxBytes;
  }

  /** A client with the library's defaults: no redirects, the given connect timeout. */
  public static HttpClient defaultClient(Duration connectTimeout) {
    return HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(connectTimeout)
        .build();
  }

  /**
   * Throws {@link IllegalArgumentException} unless {@code uri} is an absolute https URI, or http
   * to a loopback host.
   */
  public static URI requireSecure(URI uri, String what) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
      throw new IllegalArgumentException(what + " must be an absolute https URI: " + uri);
    }
    if (scheme.equals("http") && !isLoopback(uri.getHost())) {
      throw new IllegalArgumentException(
          what + " must use https (plain http is allowed only for loopback hosts): " + uri);
    }
    return uri;
  }

  /**
   * True for {@code localhost}, 127.0.0.0/8 and ::1, decided without a DNS lookup. Names under
   * {@code .localhost} are not accepted: the HTTP client resolves them through the system
   * resolver, which need not map them to loopback.
   */
  private static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.equals("localhost")) {
      return true;
    }
    boolean literal = h.matches("[0-9.]+") || h.contains(":");
    if (!literal) {
      return false;
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (IOException e) {
      return false;
    }
  }

  /** The {@code Accept} value for JSON documents such as discovery metadata (RFC 8414 3.2). */
  public static final String ACCEPT_JSON = "application/json";

  /**
   * The {@code Accept} value for a JWK Set: its registered media type (RFC 7517 8.5.1) first,
   * plain JSON for the many servers that label it so.
   */
  public static final String ACCEPT_JWK_SET = "application/jwk-set+json, application/json";

  /**
   * GETs {@code uri} with the given {@code Accept} header value ({@link #ACCEPT_JSON} or {@link
   * #ACCEPT_JWK_SET}), expecting a 200 with a body no larger than the limit.
   */
  public Response get(URI uri, String accept) throws FetchException {
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .GET()
            .timeout(timeout)
            .header("Accept", Objects.requireNonNull(accept, "accept"))
            .build();
    AtomicBoolean tooLarge = new AtomicBoolean();
    CompletableFuture<HttpResponse<byte[]>> future =
        client.sendAsync(request, info -> new LimitedBody(maxBytes, info, tooLarge));
    HttpResponse<byte[]> response;
    try {
      response = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new FetchException("timed out after " + timeout.toMillis() + " ms", true, 0);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new FetchException("interrupted", false, 0);
    } catch (ExecutionException | CancellationException e) {
      // Checked by flag: over HTTP/2 the client reports a cancelled stream instead of TooLarge.
      if (tooLarge.get()) {
        throw new FetchException("response larger than " + maxBytes + " bytes", false, 0);
      }
      throw describe(e.getCause() == null ? e : e.getCause());
    }
    URI answered = response.uri();
    if (!sameOrigin(uri, answered)) {
      throw new FetchException("redirected to another origin", false, response.statusCode());
    }
    int status = response.statusCode();
    if (status >= 300 && status < 400) {
      throw new FetchException("HTTP " + status + " (redirects are not followed; configure the final URI)", false, status);
    }
    if (status != 200) {
      throw new FetchException("HTTP " + status, status >= 500, status);
    }
    return new Response(response.body(), maxAge(response.headers().allValues("Cache-Control")));
  }

  /** A safe, useful message for an exchange that failed before a response arrived. */
  private FetchException describe(Throwable cause) {
    String name = cause.getClass().getSimpleName();
    if (cause instanceof HttpConnectTimeoutException) {
      return new FetchException("connecting timed out (" + name + ")", true, 0);
    }
    if (cause instanceof HttpTimeoutException) {
      return new FetchException("timed out after " + timeout.toMillis() + " ms (" + name + ")", true, 0);
    }
    if (cause instanceof ConnectException) {
      return new FetchException("could not connect (" + name + ")", true, 0);
    }
    if (cause instanceof SSLException) {
      return new FetchException("TLS failed (" + name + "); check the URI and the trust store", false, 0);
    }
    return new FetchException("request failed (" + name + ")", true, 0);
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost().equalsIgnoreCase(b.getHost())
        && a.getPort() == b.getPort();
  }

  static OptionalLong maxAge(List<String> cacheControl) {
    for (String header : cacheControl) {
      for (String directive : header.split(",")) {
        String d = directive.trim().toLowerCase(Locale.ROOT);
        if (d.equals("no-store") || d.equals("no-cache")) {
          return OptionalLong.of(0);
        }
        if (d.startsWith("max-age=")) {
          String v = d.substring("max-age=".length()).replace("\"", "");
          try {
            return OptionalLong.of(Math.max(0, Long.parseLong(v)));
          } catch (NumberFormatException e) {
            return OptionalLong.empty();
          }
        }
      }
    }
    return OptionalLong.empty();
  }

  /** Thrown inside the body subscriber when the body passes the limit. */
  private static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    TooLarge() {
      super("too large", null);
    }
  }

  /** Collects at most {@code max} bytes, then cancels the exchange. */
  private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final int max;
    private final AtomicBoolean tooLarge;
    private Flow.Subscription subscription;

    LimitedBody(int max, HttpResponse.ResponseInfo info, AtomicBoolean tooLarge) {
      this.max = max;
      this.tooLarge = tooLarge;
      Optional<String> length = info.headers().firstValue("Content-Length");
      if (length.isPresent()) {
        try {
          if (Long.parseLong(length.get().trim()) > max) {
            tooLarge.set(true);
            result.completeExceptionally(new TooLarge());
          }
        } catch (NumberFormatException ignored) {
          // The body itself is still bounded below.
        }
      }
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (result.isDone()) {
        s.cancel();
      } else {
        s.request(Long.MAX_VALUE);
      }
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer item : items) {
        if (buffer.size() + item.remaining() > max) {
          tooLarge.set(true);
          result.completeExceptionally(new TooLarge());
          subscription.cancel();
          return;
        }
        byte[] chunk = new byte[item.remaining()];
        item.get(chunk);
        buffer.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable throwable) {
      result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
      result.complete(buffer.toByteArray());
    }
  }
}
