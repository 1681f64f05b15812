package dev.tokenguard.interop;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * A user agent over the JDK HttpClient: keeps cookies, follows redirects itself (so a test sees
 * the redirect to the client's {@code redirect_uri} instead of following it), and fills in the
 * HTML forms an identity provider serves (login, consent, device code entry). One instance is one
 * browser profile: its own cookie jar, so its own session at the identity provider.
 *
 * <p>Cookies are kept as browsers keep them (RFC 6265: values verbatim, host-only, path-scoped,
 * removed by Max-Age 0 or a past Expires), and, as browsers do for loopback origins (which are
 * secure contexts), {@code Secure} cookies are sent over plain http to 127.0.0.1. The JDK's
 * {@code CookieManager} does neither: it speaks RFC 2965 ({@code $Version}, quoted values) and
 * withholds {@code Secure} cookies over http, which Keycloak's login needs.
 */
final class Browser {
  static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final int MAX_REDIRECTS = 10;

  private final HttpClient http;
  private final Map<String, Cookie> cookies = new LinkedHashMap<>();

  Browser() {
    http =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  private record Cookie(String host, int port, String path, String name, String value) {}

  /** A page as the browser received it (one request, no redirect followed). */
  record Page(URI uri, int status, HttpHeaders headers, String body) {
    Optional<URI> location() {
      return headers.firstValue("Location").map(uri::resolve);
    }

    boolean isRedirect() {
      return status >= 300 && status < 400 && location().isPresent();
    }

    Document document() {
      return Jsoup.parse(body, uri.toString());
    }

    /** The first form matching {@code cssSelector}; fails the test with the page when there is none. */
    Form form(String cssSelector) {
      Element form = document().selectFirst(cssSelector);
      if (form == null) {
        throw new AssertionError("no form " + cssSelector + " on " + uri + " (HTTP " + status + "):\n" + excerpt());
      }
      return Form.of(form, uri);
    }

    /** The page's visible text, shortened: for failure messages. */
    String excerpt() {
      String text = document().text();
      return text.length() <= 1500 ? text : text.substring(0, 1500) + "...";
    }
  }

  /** An HTML form: its action, method and the fields a browser would submit as they stand. */
  static final class Form {
    final URI action;
    final String method;
    private final List<Map.Entry<String, String>> fields = new ArrayList<>();

    private Form(URI action, String method) {
      this.action = action;
      this.method = method;
    }

    static Form of(Element form, URI page) {
      String action = form.attr("action");
      Form result = new Form(action.isEmpty() ? page : page.resolve(action),
          form.attr("method").isEmpty() ? "get" : form.attr("method").toLowerCase(java.util.Locale.ROOT));
      for (Element input : form.select("input[name]")) {
        String type = input.attr("type").toLowerCase(java.util.Locale.ROOT);
        if (input.hasAttr("disabled") || type.equals("submit") || type.equals("button") || type.equals("reset")) {
          continue;
        }
        if ((type.equals("checkbox") || type.equals("radio")) && !input.hasAttr("checked")) {
          continue;
        }
        result.fields.add(Map.entry(input.attr("name"), input.attr("value")));
      }
      return result;
    }

    /** Replaces every field of that name (or adds it): a text input the user types into. */
    Form set(String name, String value) {
      fields.removeIf(field -> field.getKey().equals(name));
      fields.add(Map.entry(name, value));
      return this;
    }

    /** Adds one more value: a checkbox the user ticks, or the submit button the user presses. */
    Form add(String name, String value) {
      fields.add(Map.entry(name, value));
      return this;
    }

    boolean has(String name) {
      return fields.stream().anyMatch(field -> field.getKey().equals(name));
    }

    String encoded() {
      return encode(fields);
    }
  }

  Page get(URI uri) {
    return send(HttpRequest.newBuilder(uri).GET());
  }

  Page submit(Form form) {
    if (form.method.equals("get")) {
      String query = form.encoded();
      String base = form.action.toString();
      int hash = base.indexOf('#');
      if (hash >= 0) {
        base = base.substring(0, hash);
      }
      int question = base.indexOf('?');
      return get(URI.create((question >= 0 ? base.substring(0, question) : base) + "?" + query));
    }
    return post(form.action, form.encoded());
  }

  Page post(URI uri, String formBody) {
    return send(HttpRequest.newBuilder(uri)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(formBody, StandardCharsets.UTF_8)));
  }

  /**
   * Follows redirects from {@code page} until one points where {@code stop} says (that redirect
   * is returned, not followed) or a page is not a redirect.
   */
  Page follow(Page page, Predicate<URI> stop) {
    Page current = page;
    for (int hops = 0; current.isRedirect(); hops++) {
      URI next = current.location().orElseThrow();
      if (stop.test(next)) {
        return current;
      }
      if (hops == MAX_REDIRECTS) {
        throw new AssertionError("more than " + MAX_REDIRECTS + " redirects, last to " + next);
      }
      current = get(next);
    }
    return current;
  }

  Page follow(Page page) {
    return follow(page, uri -> false);
  }

  private Page send(HttpRequest.Builder request) {
    request.timeout(TIMEOUT).header("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
    String cookieHeader = cookieHeader(request.copy().build().uri());
    if (!cookieHeader.isEmpty()) {
      request.header("Cookie", cookieHeader);
    }
    HttpRequest built = request.build();
    try {
      HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
      response.headers().allValues("Set-Cookie").forEach(header -> store(built.uri(), header));
      return new Page(built.uri(), response.statusCode(), response.headers(), response.body());
    } catch (IOException e) {
      throw new AssertionError(built.method() + " " + built.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private synchronized void store(URI uri, String setCookie) {
    String[] parts = setCookie.split(";");
    int eq = parts[0].indexOf('=');
    if (eq <= 0) {
      return;
    }
    String name = parts[0].substring(0, eq).trim();
    String value = parts[0].substring(eq + 1).trim();
    String requestPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String path = requestPath.lastIndexOf('/') > 0 ? requestPath.substring(0, requestPath.lastIndexOf('/')) : "/";
    boolean expired = false;
    for (int i = 1; i < parts.length; i++) {
      String attribute = parts[i].trim();
      String lower = attribute.toLowerCase(java.util.Locale.ROOT);
      if (lower.startsWith("path=") && attribute.length() > 5 && attribute.charAt(5) == '/') {
        path = attribute.substring(5);
      } else if (lower.startsWith("max-age=")) {
        expired |= attribute.substring(8).trim().startsWith("-") || attribute.substring(8).trim().equals("0");
      } else if (lower.startsWith("expires=")) {
        expired |= attribute.contains("1970");
      }
    }
    String key = uri.getHost() + ":" + uri.getPort() + path + ";" + name;
    if (expired) {
      cookies.remove(key);
    } else {
      cookies.put(key, new Cookie(uri.getHost(), uri.getPort(), path, name, value));
    }
  }

  private synchronized String cookieHeader(URI uri) {
    String requestPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    StringBuilder header = new StringBuilder();
    for (Cookie cookie : cookies.values()) {
      boolean pathMatches = requestPath.equals(cookie.path())
          || (requestPath.startsWith(cookie.path()) && (cookie.path().endsWith("/") || requestPath.charAt(cookie.path().length()) == '/'));
      if (cookie.host().equalsIgnoreCase(uri.getHost()) && cookie.port() == uri.getPort() && pathMatches) {
        header.append(header.length() == 0 ? "" : "; ").append(cookie.name()).append('=').append(cookie.value());
      }
    }
    return header.toString();
  }

  static String encode(List<Map.Entry<String, String>> fields) {
    StringBuilder body = new StringBuilder();
    for (Map.Entry<String, String> field : fields) {
      if (body.length() > 0) {
        body.append('&');
      }
      body.append(URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(field.getValue(), StandardCharsets.UTF_8));
    }
    return body.toString();
  }
}
