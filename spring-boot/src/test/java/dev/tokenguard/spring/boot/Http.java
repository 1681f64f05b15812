package dev.tokenguard.spring.boot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** HTTP/1.1 calls to 127.0.0.1 with short timeouts. */
final class Http {
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .followRedirects(HttpClient.Redirect.NEVER)
      .build();

  private Http() {}

  /** GET with header name/value pairs. */
  static HttpResponse<String> get(URI uri, String... headers) {
    return send(request(uri, headers).GET().build());
  }

  /** A request with a body of {@code contentType}. */
  static HttpResponse<String> send(String method, URI uri, String contentType, String body, String... headers) {
    return send(request(uri, headers).header("Content-Type", contentType)
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build());
  }

  static String bearer(String token) {
    return "Bearer " + token;
  }

  private static HttpRequest.Builder request(URI uri, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return request;
  }

  private static HttpResponse<String> send(HttpRequest request) {
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
