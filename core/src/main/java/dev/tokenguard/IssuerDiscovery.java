package dev.tokenguard;

import dev.tokenguard.HttpFetcher.FetchException;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds an issuer's JWKS URI through its metadata: OpenID Connect Discovery 1.0 ({@code
 * {issuer}/.well-known/openid-configuration}), then RFC 8414 ({@code
 * {origin}/.well-known/oauth-authorization-server{path}}), else the Auth0-style fallback {@code
 * {issuer}.well-known/jwks.json}. The document must name exactly the configured issuer (RFC 8414
 * section 3.3, OpenID Connect Discovery 1.0 section 4.3) and an absolute {@code jwks_uri} that uses
 * https (plain http only to loopback).
 *
 * <p>The answer is kept for the document's own lifetime (its {@code Cache-Control: max-age}
 * clamped like the keys' lifetime) and then looked up again, so a {@code jwks_uri} that moves is
 * followed. Not thread-safe on its own: the key source calls it from one fetch at a time.
 */
final class IssuerDiscovery {
  private static final Logger LOG = LoggerFactory.getLogger(IssuerDiscovery.class);

  /** A metadata document that arrived but cannot be trusted or used; the message is safe to log. */
  static final class Unusable extends Exception {
    private static final long serialVersionUID = 1L;
    final URI uri;

    Unusable(URI uri, String message) {
      super(message, null, false, false);
      this.uri = uri;
    }
  }

  /** One GET with one retry, reported to the key source's listener; supplied by the key source. */
  interface Fetch {
    HttpFetcher.Response get(URI uri, String accept) throws FetchException;
  }

  private final String issuer;
  private final KeyFetchSettings settings;
  private final Clock clock;
  private URI jwksUri;
  private Instant validUntil = Instant.MIN;
  /** True when the URI in use is the fallback, found without any metadata document. */
  private boolean fallback;

  IssuerDiscovery(String issuer, KeyFetchSettings settings, Clock clock) {
    this.issuer = issuer;
    this.settings = settings;
    this.clock = clock;
  }

  /** The JWKS URI, looking the metadata up again when there is none yet or its lifetime ended. */
  URI jwksUri(Fetch fetch) throws FetchException, Unusable {
    Instant now = clock.instant();
    if (jwksUri != null && now.isBefore(validUntil)) {
      return jwksUri;
    }
    URI previous = jwksUri;
    URI found = discover(fetch, now);
    if (previous != null && !previous.equals(found)) {
      LOG.info("The issuer {} now names its JWKS at {} (was {})", Detail.quote(issuer), found, previous);
    }
    jwksUri = found;
    return found;
  }

  /** Forgets the answer, so the next {@link #jwksUri} looks the metadata up again. */
  void forget() {
    validUntil = Instant.MIN;
  }

  /** The JWKS URI in use, or null before the first lookup. */
  URI current() {
    return jwksUri;
  }

  /** Whether the URI in use came from no metadata document at all (the fallback). */
  boolean usingFallback() {
    return fallback;
  }

  private URI discover(Fetch fetch, Instant now) throws FetchException, Unusable {
    String trimmed = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    URI issuerUri = URI.create(issuer);
    String path = issuerUri.getRawPath() == null ? "" : issuerUri.getRawPath();
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String origin = issuerUri.getScheme() + "://" + issuerUri.getRawAuthority();
    URI[] candidates = {
      URI.create(trimmed + "/.well-known/openid-configuration"),
      URI.create(origin + "/.well-known/oauth-authorization-server" + path),
    };
    for (URI candidate : candidates) {
      HttpFetcher.Response response;
      try {
        response = fetch.get(candidate, HttpFetcher.ACCEPT_JSON);
      } catch (FetchException e) {
        if (e.status() == 404 || e.status() == 410) {
          continue;
        }
        throw e;
      }
      URI discovered = jwksUriFrom(candidate, response.bodyAsString());
      LOG.debug("Discovered the JWKS URI {} in {}", discovered, candidate);
      validUntil = now.plus(settings.ttl(response.maxAgeSeconds()));
      fallback = false;
      return discovered;
    }
    URI fallbackUri = URI.create(trimmed + "/.well-known/jwks.json");
    LOG.debug("No discovery document for {}; using {}", Detail.quote(issuer), fallbackUri);
    validUntil = now.plus(settings.defaultTtl);
    fallback = true;
    return fallbackUri;
  }

  /** The {@code jwks_uri} of a metadata document, after the trust checks; each refusal says exactly why. */
  private URI jwksUriFrom(URI source, String json) throws Unusable {
    Map<String, Object> metadata;
    try {
      metadata = Json.parseObject(json);
    } catch (ParseException e) {
      throw new Unusable(source, "the discovery document at " + source + " is not a JSON object");
    }
    Object reported = metadata.get("issuer");
    if (reported == null) {
      throw new Unusable(source, "the discovery document at " + source + " names no issuer");
    }
    if (!issuer.equals(reported)) {
      throw new Unusable(source, "the discovery document at " + source + " names the issuer "
          + Detail.quote(reported) + ", not the configured issuer " + Detail.quote(issuer) + trailingSlashHint(reported));
    }
    Object jwks = metadata.get("jwks_uri");
    if (jwks == null) {
      throw new Unusable(source, "the discovery document at " + source + " has no jwks_uri");
    }
    if (!(jwks instanceof String)) {
      throw new Unusable(source, "the discovery document at " + source + " has a jwks_uri that is not a string");
    }
    URI uri;
    try {
      uri = URI.create((String) jwks);
    } catch (IllegalArgumentException e) {
      throw new Unusable(source, "the discovery document at " + source + " has a jwks_uri that is not a URI: " + Detail.quote(jwks));
    }
    if (!uri.isAbsolute()) {
      throw new Unusable(source, "the discovery document at " + source + " has a jwks_uri that is not an absolute URI: "
          + Detail.quote(jwks));
    }
    if (uri.getHost() == null) {
      throw new Unusable(source, "the discovery document at " + source + " has a jwks_uri without a host: " + Detail.quote(jwks));
    }
    try {
      return HttpFetcher.requireSecure(uri, "jwks_uri");
    } catch (IllegalArgumentException e) {
      throw new Unusable(source, "the discovery document at " + source + " names the jwks_uri "
          + Detail.quote(jwks) + ", which must use https (plain http is allowed only for loopback hosts)");
    }
  }

  /** A hint when {@code reported} and the configured issuer differ only by a trailing slash. */
  private String trailingSlashHint(Object reported) {
    if (reported instanceof String && IssuerNames.differOnlyByTrailingSlash((String) reported, issuer)) {
      return " (they differ only by a trailing slash: configure the issuer exactly as the discovery document and"
          + " the tokens' iss claim spell it, " + Detail.quote(reported) + ")";
    }
    return "";
  }
}
