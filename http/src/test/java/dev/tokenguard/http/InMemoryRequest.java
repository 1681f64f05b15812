package dev.tokenguard.http;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A plain {@link ResourceRequest} held in memory; counts how often its body is read. Its raw path
 * is its path unless set, and it has no client certificate unless given one.
 */
final class InMemoryRequest implements ResourceRequest {
  private String method = "GET";
  private final String path;
  private String rawPath;
  private X509Certificate certificate;
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

  /** {@code Authorization: DPoP token} and, unless null, {@code DPoP: proof}. */
  InMemoryRequest dpop(String token, String proof) {
    header("Authorization", "DPoP " + token);
    return proof == null ? this : header("DPoP", proof);
  }

  /** The raw path as the client sent it (default: {@link #path()}); null for an adapter that cannot tell. */
  InMemoryRequest rawPath(String rawPath) {
    this.rawPath = rawPath;
    this.rawPathSet = true;
    return this;
  }

  private boolean rawPathSet;

  InMemoryRequest certificate(X509Certificate certificate) {
    this.certificate = certificate;
    return this;
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
  public Optional<String> rawPath() {
    return Optional.ofNullable(rawPathSet ? rawPath : path);
  }

  @Override
  public Optional<X509Certificate> clientCertificate() {
    return Optional.ofNullable(certificate);
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
