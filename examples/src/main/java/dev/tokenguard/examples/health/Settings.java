package dev.tokenguard.examples.health;

import dev.tokenguard.http.ProtectedResource;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The health API's environment, read and checked before anything starts: {@code PORT}, {@code
 * ISSUER}, {@code AUDIENCE}, {@code JWKS_URI}, {@code SCOPE_CLAIMS}, {@code PUBLIC_URL}, {@code
 * DPOP}, {@code DPOP_NONCE} and {@code REDIS_URL} (see {@link HealthApi}). Immutable.
 */
final class Settings {
  /** Separates several issuers, audiences or scope claims in one variable. */
  private static final String LIST = "[,\\s]+";

  final int port;
  /** The trusted issuers, exactly as in the tokens' {@code iss}; empty: the demo's fake issuer. */
  final List<String> issuers;
  /** The API identifiers; empty: the demo's audience (only without {@code ISSUER}). */
  final List<String> audiences;
  final URI jwksUri;
  /** The claims scopes are read from; empty: the library's default. */
  final List<String> scopeClaims;
  /** Where clients reach the API, or null for {@code http://127.0.0.1:<port>}. */
  final URI publicUrl;
  /**
   * {@code DPOP}: {@code allowed} (the default: Bearer and DPoP), {@code required} (every
   * protected path needs a DPoP-bound token and a proof) or {@code off} (Bearer only).
   */
  final String dpop;
  /** {@code DPOP_NONCE=on}: proofs must carry a server nonce (RFC 9449 section 8). */
  final boolean dpopNonces;
  /** The Redis server that remembers used proofs, or null for memory. */
  final URI redisUrl;
  /** What the user set that this configuration ignores, one sentence each. */
  final List<String> warnings;

  private Settings(Map<String, String> env) {
    port = port(env.get("PORT"));
    issuers = list(env.get("ISSUER"));
    audiences = list(env.get("AUDIENCE"));
    jwksUri = uri(env, "JWKS_URI");
    scopeClaims = list(env.get("SCOPE_CLAIMS"));
    publicUrl = publicUrl(value(env.get("PUBLIC_URL")));
    dpop = oneOf(env, "DPOP", "allowed", "required", "off");
    dpopNonces = oneOf(env, "DPOP_NONCE", "off", "on").equals("on");
    redisUrl = redisUrl(value(env.get("REDIS_URL")));
    warnings = checkCombinations();
  }

  /**
   * Reads {@code env}.
   *
   * @throws IllegalArgumentException naming the variable that is wrong and what it must be
   */
  static Settings read(Map<String, String> env) {
    return new Settings(env);
  }

  boolean demo() {
    return issuers.isEmpty();
  }

  private List<String> checkCombinations() {
    List<String> ignored = new ArrayList<>();
    if (dpopNonces && dpop.equals("off")) {
      throw new IllegalArgumentException("DPOP_NONCE=on needs DPoP: remove DPOP=off or DPOP_NONCE.");
    }
    if (redisUrl != null && dpop.equals("off")) {
      ignored.add("REDIS_URL is ignored with DPOP=off: only DPoP proofs are remembered there.");
    }
    if (demo()) {
      if (jwksUri != null) {
        ignored.add("JWKS_URI is ignored without ISSUER: the demo uses its own fake issuer.");
      }
      if (!scopeClaims.isEmpty()) {
        ignored.add("SCOPE_CLAIMS is ignored without ISSUER: the demo's tokens carry their scopes in scope.");
      }
      return List.copyOf(ignored);
    }
    if (audiences.isEmpty()) {
      throw new IllegalArgumentException("AUDIENCE is required with ISSUER: the API identifier your tokens carry in aud.");
    }
    if (jwksUri != null && issuers.size() > 1) {
      throw new IllegalArgumentException("JWKS_URI applies only when ISSUER names one issuer; with " + issuers.size()
          + " each one's keys are found through its own discovery: remove JWKS_URI.");
    }
    return List.copyOf(ignored);
  }

  private static int port(String raw) {
    String value = raw == null ? "8080" : raw.trim();
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // the message below says what is expected
    }
    throw new IllegalArgumentException("PORT must be a TCP port number (0-65535), got: " + raw);
  }

  private static URI publicUrl(String raw) {
    if (raw == null) {
      return null;
    }
    URI uri;
    try {
      uri = URI.create(raw);
      // The library's own check, before anything starts; no request reaches this resource.
      ProtectedResource.builder(request -> {
        throw new IllegalStateException("never called");
      }).publicUrl(uri);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "PUBLIC_URL must be where clients reach this API, e.g. https://api.example.com: " + e.getMessage(), e);
    }
    return uri;
  }

  private static URI redisUrl(String raw) {
    if (raw == null) {
      return null;
    }
    try {
      URI uri = URI.create(raw);
      if (("redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme())) && uri.getHost() != null) {
        return uri;
      }
    } catch (IllegalArgumentException e) {
      // the message below says what is expected
    }
    throw new IllegalArgumentException("REDIS_URL must be a Redis URL such as redis://127.0.0.1:6379, got: " + raw);
  }

  private static URI uri(Map<String, String> env, String name) {
    String raw = value(env.get(name));
    try {
      return raw == null ? null : URI.create(raw);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + " must be a URL, got: " + raw, e);
    }
  }

  /** The value of {@code name} among {@code values} (the first when unset); anything else is refused, not guessed. */
  private static String oneOf(Map<String, String> env, String name, String... values) {
    String raw = value(env.get(name));
    if (raw == null) {
      return values[0];
    }
    for (String v : values) {
      if (v.equalsIgnoreCase(raw)) {
        return v;
      }
    }
    throw new IllegalArgumentException(name + " must be one of " + String.join(", ", values) + ", got: " + raw);
  }

  private static List<String> list(String raw) {
    String value = value(raw);
    return value == null ? List.of() : List.of(value.split(LIST));
  }

  private static String value(String raw) {
    return raw == null || raw.isBlank() ? null : raw.trim();
  }
}
