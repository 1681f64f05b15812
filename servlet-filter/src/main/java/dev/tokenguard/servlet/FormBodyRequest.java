package dev.tokenguard.servlet;

import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request whose form body the filter has already read: replays the body to the application and
 * answers the parameter methods from the query string and the body (query first, as the Servlet
 * specification orders them). Used only when the form-body method is enabled: the HTTP layer then
 * reads the body to look for a token and hands it back in {@code Decision.consumedBody()}. Not
 * thread-safe, like any request.
 */
final class FormBodyRequest extends HttpServletRequestWrapper {
  private final byte[] body;
  private Map<String, String[]> parameters;
  private boolean streamUsed;
  private boolean readerUsed;

  FormBodyRequest(HttpServletRequest request, byte[] body) {
    super(request);
    this.body = body;
  }

  @Override
  public ServletInputStream getInputStream() {
    if (readerUsed) {
      throw new IllegalStateException("getReader() has already been called");
    }
    streamUsed = true;
    return new ReplayedBody(body);
  }

  @Override
  public BufferedReader getReader() {
    if (streamUsed) {
      throw new IllegalStateException("getInputStream() has already been called");
    }
    readerUsed = true;
    return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), charset()));
  }

  @Override
  public int getContentLength() {
    return body.length;
  }

  @Override
  public long getContentLengthLong() {
    return body.length;
  }

  @Override
  public String getParameter(String name) {
    String[] values = parameters().get(name);
    return values == null ? null : values[0];
  }

  @Override
  public Map<String, String[]> getParameterMap() {
    return parameters();
  }

  @Override
  public Enumeration<String> getParameterNames() {
    return Collections.enumeration(parameters().keySet());
  }

  @Override
  public String[] getParameterValues(String name) {
    String[] values = parameters().get(name);
    return values == null ? null : values.clone();
  }

  private Charset charset() {
    String name = getCharacterEncoding();
    try {
      return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
    } catch (RuntimeException e) {
      return StandardCharsets.UTF_8;
    }
  }

  private Map<String, String[]> parameters() {
    if (parameters == null) {
      Map<String, List<String>> collected = new LinkedHashMap<>();
      add(collected, FormParameters.pairs(getQueryString()));
      add(collected, FormParameters.bodyPairs(new String(body, StandardCharsets.ISO_8859_1), charset()));
      Map<String, String[]> result = new LinkedHashMap<>();
      collected.forEach((k, v) -> result.put(k, v.toArray(new String[0])));
      parameters = Collections.unmodifiableMap(result);
    }
    return parameters;
  }

  private static void add(Map<String, List<String>> collected, List<String[]> pairs) {
    for (String[] pair : pairs) {
      collected.computeIfAbsent(pair[0], k -> new ArrayList<>()).add(pair[1]);
    }
  }
}
