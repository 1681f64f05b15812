package dev.tokenguard.http;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A plain {@link ResourceRequest} held in memory; counts how often its body is read. */
final class InMemoryRequest implements ResourceRequest {
  private String method = "GET";
  private final String path;
  private final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
  private String query;
  private String contentType;
  private byte[] body = new byte[0];
  int bodyReads;

  private InMemoryRequest(String path) {
    this.path = path;
  }

  /** A GET of {@code pathAndQuery}: the part after a {@code ?} becomes the raw query. */
  static InMemoryRequest get(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    InMemoryRequest r = new InMemoryRequest(q < 0 ? pathAndQuery : pathAndQuery.substring(0, q));
    r.query = q < 0 ? null : pathAndQuery.substring(q + 1);
    return r;
  }

  /** A POST of {@code body} with {@code contentType}. */
  static InMemoryRequest post(String pathAndQuery, String contentType, String body) {
    return get(pathAndQuery).method("POST").header("Content-Type", contentType).body(body);
  }

  InMemoryRequest method(String method) {
    this.method = method;
    return this;
  }

  /** Adds one header line (a name may repeat); {@code Content-Type} also sets the content type. */
  InMemoryRequest header(String name, String value) {
    headers.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
    if (name.equalsIgnoreCase("Content-Type")) {
      contentType = value;
    }
    return this;
  }

  InMemoryRequest bearer(String token) {
    return header("Authorization", "Bearer " + token);
  }

  InMemoryRequest body(String text) {
    this.body = text.getBytes(StandardCharsets.UTF_8);
    return this;
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public List<String> headers(String name) {
    return List.copyOf(headers.getOrDefault(name, List.of()));
  }

  @Override
  public Optional<String> rawQuery() {
    return Optional.ofNullable(query);
  }

  @Override
  public Optional<String> contentType() {
    return Optional.ofNullable(contentType);
  }

  @Override
  public InputStream body() {
    bodyReads++;
    return new ByteArrayInputStream(body);
  }

  @Override
  public String toString() {
    return method + " " + path + (query == null ? "" : "?" + query);
  }
}
