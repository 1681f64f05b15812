package dev.tokenguard.http;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.Requirement;
import dev.tokenguard.TrustedIssuer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads a protected resource's configuration from text settings: {@code web.xml} init parameters,
 * framework properties, environment variables. Every adapter reads the same names with the same
 * grammar through this class, so a setting that works in one place works in all.
 *
 * <pre>{@code
 * ConfigurationReader reader = ConfigurationReader.of(
 *     names, settings::get, name -> "init parameter " + name);
 * ProtectedResource resource = reader.protectedResource(); // owns its verifier: close() it at shutdown
 * }</pre>
 *
 * <p>The names (values are trimmed; an empty value counts as absent):
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>name</th><th>value</th></tr>
 *   <tr><td>{@code issuer}</td><td>required: the exact {@code iss} of the tokens, e.g. {@code
 *       https://tenant.us.auth0.com/}; several trusted issuers separated by commas or spaces, each
 *       with its own keys found through discovery (RFC 8414 / OpenID Connect Discovery)</td></tr>
 *   <tr><td>{@code audience}</td><td>required: the API identifier(s) {@code aud} must contain,
 *       separated by commas or spaces</td></tr>
 *   <tr><td>{@code jwks-uri}</td><td>the issuer's JWKS URI (default: found through discovery);
 *       only with a single {@code issuer}</td></tr>
 *   <tr><td>{@code scope-claims}</td><td>the claims scopes are read from, separated by commas or
 *       spaces (default {@code scope scp permissions}; e.g. {@code scp} for Okta and Entra ID); for
 *       every issuer</td></tr>
 *   <tr><td>{@code realm}</td><td>the realm of every challenge (default {@code api})</td></tr>
 *   <tr><td>{@code public-paths}</td><td>path patterns that need no token, separated by commas or
 *       spaces: exact, or with a final {@code /*} also everything below</td></tr>
 *   <tr><td>{@code scope-rules}</td><td>access rules, {@code pattern=requirement} separated by
 *       {@code ;}, each covering its path and everything below it (grammar below), e.g. {@code
 *       /api/patients=read:patients; /api/reports=read:reports|read:admin;
 *       /api/records=read:patients acr=http://schemas.openid.net/pape/policies/2007/06/multi-factor
 *       max-age=300}</td></tr>
 *   <tr><td>{@code allow-options}</td><td>{@code true} lets CORS preflights through (default
 *       {@code false})</td></tr>
 *   <tr><td>{@code accept-query-token}</td><td>{@code true} accepts {@code access_token} in the URI
 *       query, RFC 6750 section 2.3 (default {@code false})</td></tr>
 *   <tr><td>{@code accept-form-token}</td><td>{@code true} accepts {@code access_token} in a form
 *       body, RFC 6750 section 2.2 (default {@code false})</td></tr>
 *   <tr><td>{@code retry-after-seconds}</td><td>the {@code Retry-After} of a 503, 1 to 3600
 *       (default 30)</td></tr>
 *   <tr><td>{@code resource}</td><td>publishes protected-resource metadata (RFC 9728) for this
 *       resource identifier, an https URL (default, when another metadata setting is present: the
 *       {@code audience}, which must then be a single value); {@code authorization_servers} are the
 *       {@code issuer}s</td></tr>
 *   <tr><td>{@code public-url}</td><td>the absolute URL clients reach the application at, the base
 *       of {@code resource_metadata} in every challenge (default: the origin of the resource
 *       identifier); publishes metadata</td></tr>
 *   <tr><td>{@code resource-name}</td><td>the metadata's {@code resource_name}; publishes
 *       metadata</td></tr>
 *   <tr><td>{@code resource-documentation}</td><td>the metadata's {@code resource_documentation}, an
 *       http(s) URL; publishes metadata</td></tr>
 * </table>
 *
 * <p><b>The {@code scope-rules} grammar.</b> Rules are separated by {@code ;}; empty rules are
 * ignored. A rule is {@code pattern=items}: a path pattern (semantics of {@link
 * ProtectedResource.Builder}), {@code =}, and items separated by spaces or commas:
 *
 * <ul>
 *   <li>scopes: every one is required ({@code read:a write:a}), or, as one item, alternatives
 *       separated by {@code |} of which one suffices ({@code read:reports|read:admin}; spaces
 *       around {@code |} are allowed, mixing it with all-of scopes in one rule is not);
 *   <li>{@code acr=value} or {@code acr=value1|value2}: the user's authentication must have met one
 *       of these authentication context classes (RFC 9470; no spaces inside the item);
 *   <li>{@code max-age=seconds}: the user must have authenticated at most this many seconds ago
 *       ({@code auth_time}; RFC 9470), a whole number from 0.
 * </ul>
 *
 * A rule may have scopes, step-up items or both ({@code /api/records=read:patients
 * acr=urn:example:mfa max-age=300}; {@code /api/transfers=max-age=60}). Another item containing
 * {@code =} is refused, so a misspelled {@code acr} cannot become a scope; a scope or acr value
 * holding {@code ;}, {@code ,}, {@code |}, {@code =} or a space cannot be written in this text
 * (use {@link ProtectedResource.Builder#require(String, Requirement)} in code).
 *
 * <p>The path semantics are those of {@link ProtectedResource.Builder}. Every error is an {@link
 * IllegalArgumentException} or {@link IllegalStateException} whose message names the setting as
 * the adapter's {@code label} spells it. Immutable and thread-safe.
 */
public final class ConfigurationReader {
  static final String ISSUER = "issuer";
  static final String AUDIENCE = "audience";
  static final String JWKS_URI = "jwks-uri";
  static final String SCOPE_CLAIMS = "scope-claims";
  static final String REALM = "realm";
  static final String PUBLIC_PATHS = "public-paths";
  static final String SCOPE_RULES = "scope-rules";
  static final String ALLOW_OPTIONS = "allow-options";
  static final String ACCEPT_QUERY_TOKEN = "accept-query-token";
  static final String ACCEPT_FORM_TOKEN = "accept-form-token";
  static final String RETRY_AFTER_SECONDS = "retry-after-seconds";
  static final String RESOURCE = "resource";
  static final String PUBLIC_URL = "public-url";
  static final String RESOURCE_NAME = "resource-name";
  static final String RESOURCE_DOCUMENTATION = "resource-documentation";

  private static final Set<String> NAMES = Collections.unmodifiableSet(new TreeSet<>(List.of(ISSUER, AUDIENCE, JWKS_URI,
      SCOPE_CLAIMS, REALM, PUBLIC_PATHS, SCOPE_RULES, ALLOW_OPTIONS, ACCEPT_QUERY_TOKEN, ACCEPT_FORM_TOKEN,
      RETRY_AFTER_SECONDS, RESOURCE, PUBLIC_URL, RESOURCE_NAME, RESOURCE_DOCUMENTATION)));

  private static final String ACR_ITEM = "acr=";
  private static final String MAX_AGE_ITEM = "max-age=";

  private static final Pattern LIST_SEPARATOR = Pattern.compile("[,\\s]+");

  private final Function<String, String> values;
  private final Function<String, String> label;

  private ConfigurationReader(Function<String, String> values, Function<String, String> label) {
    this.values = values;
    this.label = label;
  }

  /**
   * Every name this reader understands.
   *
   * @return the names, sorted; unmodifiable
   */
  public static Set<String> names() {
    return NAMES;
  }

  /**
   * A reader over the settings {@code present} names, whose values {@code values} looks up.
   *
   * @param present the names of the settings that are set (for example every init parameter name);
   *     each must be one of {@link #names()}, so a misspelled setting cannot silently drop a rule
   * @param values the value of a name, or null when it is not set; called only with names from
   *     {@link #names()}, and only while this reader builds something
   * @param label how messages name a setting, e.g. {@code name -> "init parameter " + name} or
   *     {@code name -> "property tokenguard." + name}
   * @return a reader; it reads the values when it builds something
   * @throws IllegalArgumentException when a present name is unknown (the message lists the known
   *     ones)
   * @throws NullPointerException when an argument or a present name is null
   */
  public static ConfigurationReader of(Collection<String> present, Function<String, String> values,
      Function<String, String> label) {
    Objects.requireNonNull(present, "present");
    Objects.requireNonNull(values, "values");
    Objects.requireNonNull(label, "label");
    for (String name : present) {
      if (!NAMES.contains(Objects.requireNonNull(name, "name"))) {
        throw new IllegalArgumentException("unknown " + label.apply(name) + "; known: " + NAMES);
      }
    }
    return new ConfigurationReader(values, label);
  }

  /**
   * A verifier builder from {@code issuer}, {@code audience}, {@code jwks-uri} and {@code
   * scope-claims}; adjust it (a clock, algorithms) before building. With several issuers, the
   * first is the builder's own {@link AccessTokenVerifier.Builder#issuer(String) issuer} and each
   * other one is {@link AccessTokenVerifier.Builder#trust trusted} with its own keys found through
   * discovery and the same {@code scope-claims}.
   *
   * @return a new verifier builder holding those settings
   * @throws IllegalStateException when {@code issuer} or {@code audience} is missing
   * @throws IllegalArgumentException when one of them is malformed, or {@code jwks-uri} is given
   *     with several issuers (the message names the setting)
   */
  public AccessTokenVerifier.Builder verifierBuilder() {
    String issuer = value(ISSUER);
    if (issuer == null) {
      throw new IllegalStateException(label.apply(ISSUER) + " is required: the exact iss of the tokens, e.g. https://tenant.us.auth0.com/");
    }
    String audience = value(AUDIENCE);
    if (audience == null) {
      throw new IllegalStateException(label.apply(AUDIENCE) + " is required: the API identifier that aud must contain");
    }
    String[] issuers = list(issuer);
    String scopeClaims = value(SCOPE_CLAIMS);
    AccessTokenVerifier.Builder verifier = AccessTokenVerifier.builder();
    apply(ISSUER, () -> verifier.issuer(issuers[0]));
    for (int i = 1; i < issuers.length; i++) {
      String other = issuers[i];
      apply(ISSUER, () -> {
        TrustedIssuer.Builder trusted = TrustedIssuer.builder(other);
        if (scopeClaims != null) {
          trusted.scopeClaims(list(scopeClaims));
        }
        verifier.trust(trusted.build());
      });
    }
    apply(AUDIENCE, () -> verifier.audience(list(audience)));
    String jwksUri = value(JWKS_URI);
    if (jwksUri != null && issuers.length > 1) {
      throw new IllegalArgumentException(label.apply(JWKS_URI) + " applies to a single issuer; with " + issuers.length
          + " in " + label.apply(ISSUER) + " each one's keys are found through discovery");
    }
    if (jwksUri != null) {
      URI uri;
      try {
        uri = URI.create(jwksUri);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(label.apply(JWKS_URI) + " is not a URI: " + e.getMessage(), e);
      }
      apply(JWKS_URI, () -> verifier.jwksUri(uri));
    }
    if (scopeClaims != null) {
      apply(SCOPE_CLAIMS, () -> verifier.scopeClaims(list(scopeClaims)));
    }
    return verifier;
  }

  /**
   * A resource builder for {@code verifier} from {@code realm}, {@code public-paths}, {@code
   * scope-rules}, {@code allow-options}, {@code accept-query-token}, {@code accept-form-token},
   * {@code retry-after-seconds} and the metadata settings ({@code resource}, {@code public-url},
   * {@code resource-name}, {@code resource-documentation}; with any of them present the resource
   * publishes RFC 9728 metadata whose {@code authorization_servers} are the {@code issuer}s, and
   * without an {@code issuer} setting that member is left out). The resource it builds does not
   * own {@code verifier}.
   *
   * @param verifier the verifier the resource checks tokens with; its owner closes it
   * @return a new resource builder holding those settings, to adjust or build
   * @throws IllegalArgumentException when one of them is malformed (the message names it)
   * @throws IllegalStateException when metadata is to be published without {@code resource} and
   *     without a single {@code audience} to take it from
   * @throws NullPointerException when {@code verifier} is null
   */
  public ProtectedResource.Builder resourceBuilder(AccessTokenVerifier verifier) {
    ProtectedResource.Builder resource = ProtectedResource.builder(verifier);
    String realm = value(REALM);
    if (realm != null) {
      apply(REALM, () -> resource.realm(realm));
    }
    String publicPaths = value(PUBLIC_PATHS);
    if (publicPaths != null) {
      apply(PUBLIC_PATHS, () -> resource.permit(list(publicPaths)));
    }
    String scopeRules = value(SCOPE_RULES);
    if (scopeRules != null) {
      addRules(resource, scopeRules);
    }
    if (flag(ALLOW_OPTIONS)) {
      resource.permitCorsPreflight();
    }
    if (flag(ACCEPT_QUERY_TOKEN)) {
      resource.acceptQueryParameter();
    }
    if (flag(ACCEPT_FORM_TOKEN)) {
      resource.acceptFormBody();
    }
    String retryAfter = value(RETRY_AFTER_SECONDS);
    if (retryAfter != null) {
      long seconds;
      try {
        seconds = Long.parseLong(retryAfter);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(label.apply(RETRY_AFTER_SECONDS) + " must be a number of seconds: " + retryAfter);
      }
      apply(RETRY_AFTER_SECONDS, () -> resource.retryAfter(Duration.ofSeconds(seconds)));
    }
    addMetadata(resource);
    return resource;
  }

  /** Publishes RFC 9728 metadata when a metadata setting is present. */
  private void addMetadata(ProtectedResource.Builder resource) {
    String identifier = value(RESOURCE);
    String publicUrl = value(PUBLIC_URL);
    String name = value(RESOURCE_NAME);
    String documentation = value(RESOURCE_DOCUMENTATION);
    if (identifier == null && publicUrl == null && name == null && documentation == null) {
      return;
    }
    String resourceLabel = label.apply(RESOURCE);
    if (identifier == null) {
      String audience = value(AUDIENCE);
      String[] audiences = audience == null ? new String[0] : list(audience);
      if (audiences.length != 1) {
        throw new IllegalStateException(resourceLabel + " is required to publish protected-resource metadata"
            + (audiences.length == 0 ? "" : " (" + label.apply(AUDIENCE) + " holds " + audiences.length + " values)")
            + ": the resource identifier, an https URL such as https://api.example.com");
      }
      identifier = audiences[0];
      resourceLabel = label.apply(AUDIENCE) + " (the default of " + label.apply(RESOURCE) + ")";
    }
    ProtectedResourceMetadata.Builder metadata;
    try {
      metadata = ProtectedResourceMetadata.builder(identifier);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(resourceLabel + ": " + e.getMessage(), e);
    }
    String issuer = value(ISSUER);
    if (issuer != null) {
      apply(ISSUER, () -> {
        List<String> servers = new ArrayList<>();
        for (String one : list(issuer)) {
          servers.add(TrustedIssuer.builder(one).build().issuer());
        }
        metadata.authorizationServers(servers.toArray(new String[0]));
      });
    }
    if (name != null) {
      apply(RESOURCE_NAME, () -> metadata.resourceName(name));
    }
    if (documentation != null) {
      apply(RESOURCE_DOCUMENTATION, () -> metadata.resourceDocumentation(documentation));
    }
    resource.publishMetadata(metadata.build());
    if (publicUrl != null) {
      URI url;
      try {
        url = new URI(publicUrl);
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException(label.apply(PUBLIC_URL) + " is not a URI: " + e.getMessage(), e);
      }
      apply(PUBLIC_URL, () -> resource.publicUrl(url));
    }
  }

  /**
   * The verifier ({@link #verifierBuilder()}) and the resource ({@link #resourceBuilder}) in one:
   * the resource owns the verifier, so {@link ProtectedResource#close()} closes it (and stops its
   * key-fetch thread). When the resource settings are malformed, the verifier is closed before the
   * exception is thrown.
   *
   * @return the resource, owning its verifier
   * @throws IllegalArgumentException when a setting is malformed (the message names it)
   * @throws IllegalStateException when {@code issuer} or {@code audience} is missing
   */
  public ProtectedResource protectedResource() {
    AccessTokenVerifier verifier = verifierBuilder().build();
    try {
      return resourceBuilder(verifier).ownsVerifier().build();
    } catch (RuntimeException e) {
      verifier.close();
      throw e;
    }
  }

  /**
   * The {@code scope-rules} text (grammar in the class comment): {@code
   * /api/patients/*=read:patients; /api/reports/*=read:reports|admin; /api/records=read:patients
   * acr=urn:example:mfa max-age=300}.
   */
  private void addRules(ProtectedResource.Builder resource, String rules) {
    String name = label.apply(SCOPE_RULES);
    for (String rule : rules.split(";")) {
      String r = rule.trim();
      if (r.isEmpty()) {
        continue;
      }
      int eq = r.indexOf('=');
      if (eq <= 0 || eq == r.length() - 1) {
        throw new IllegalArgumentException(name + ": each rule is pattern=scopes (and acr=..., max-age=...), got " + r);
      }
      String pattern = r.substring(0, eq).trim();
      List<String> scopeItems = new ArrayList<>();
      List<String> acrValues = null;
      Duration maxAge = null;
      for (String item : LIST_SEPARATOR.split(r.substring(eq + 1).trim())) {
        if (item.startsWith(ACR_ITEM)) {
          if (acrValues != null) {
            throw new IllegalArgumentException(name + ": a rule has one acr= item (alternatives separated by |), got " + r);
          }
          acrValues = alternatives(item.substring(ACR_ITEM.length()), name, "an acr= item has an empty value between its | signs", r);
        } else if (item.startsWith(MAX_AGE_ITEM)) {
          if (maxAge != null) {
            throw new IllegalArgumentException(name + ": a rule has one max-age= item, got " + r);
          }
          maxAge = seconds(item.substring(MAX_AGE_ITEM.length()), name, r);
        } else if (item.contains("=")) {
          throw new IllegalArgumentException(name + ": an item holding = is acr=... or max-age=... (no spaces around =), got "
              + item + " in " + r);
        } else if (!item.isEmpty()) {
          scopeItems.add(item);
        }
      }
      List<String> acr = acrValues;
      Duration age = maxAge;
      apply(SCOPE_RULES, () -> {
        Requirement requirement = scopes(String.join(" ", scopeItems), name, r);
        if (acr != null) {
          requirement = requirement.withAcrValues(acr.toArray(new String[0]));
        }
        if (age != null) {
          requirement = requirement.withMaxAge(age);
        }
        resource.require(pattern, requirement);
      });
    }
  }

  /** The scope part of a rule: all of the scopes, or one {@code a|b} group of alternatives; none for {@code ""}. */
  private static Requirement scopes(String scopes, String name, String rule) {
    if (scopes.isEmpty()) {
      return Requirement.none();
    }
    if (!scopes.contains("|")) {
      return Requirement.allScopes(list(scopes));
    }
    List<String> any = new ArrayList<>();
    for (String scope : scopes.split("\\|", -1)) {
      String s = scope.trim();
      if (s.isEmpty()) {
        throw new IllegalArgumentException(name + ": an any-of rule has an empty scope between its | signs, got " + rule);
      }
      if (LIST_SEPARATOR.matcher(s).find()) {
        throw new IllegalArgumentException(name + ": do not mix | (any of) with spaces or commas (all of) in one rule, got " + rule);
      }
      any.add(s);
    }
    return Requirement.anyScope(any.toArray(new String[0]));
  }

  private static List<String> alternatives(String value, String name, String emptyMessage, String rule) {
    List<String> out = new ArrayList<>();
    for (String v : value.split("\\|", -1)) {
      if (v.isEmpty()) {
        throw new IllegalArgumentException(name + ": " + emptyMessage + ", got " + rule);
      }
      out.add(v);
    }
    return out;
  }

  private static Duration seconds(String value, String name, String rule) {
    if (!value.matches("[0-9]{1,10}") || Long.parseLong(value) > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(name + ": max-age is a whole number of seconds from 0 to " + Integer.MAX_VALUE
          + ", got " + rule);
    }
    return Duration.ofSeconds(Long.parseLong(value));
  }

  /** Runs a builder call, naming the setting in the message of what it throws. */
  private void apply(String name, Runnable call) {
    try {
      call.run();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(label.apply(name) + ": " + e.getMessage(), e);
    } catch (IllegalStateException e) {
      throw new IllegalStateException(label.apply(name) + ": " + e.getMessage(), e);
    }
  }

  private String value(String name) {
    String v = values.apply(name);
    if (v == null) {
      return null;
    }
    String trimmed = v.trim();
    return trimmed.isEmpty() ? null : trimmed;
  }

  private boolean flag(String name) {
    String v = value(name);
    if (v == null || v.equalsIgnoreCase("false")) {
      return false;
    }
    if (v.equalsIgnoreCase("true")) {
      return true;
    }
    throw new IllegalArgumentException(label.apply(name) + " must be true or false, got " + v);
  }

  private static String[] list(String value) {
    List<String> out = new ArrayList<>();
    for (String item : LIST_SEPARATOR.split(value.trim())) {
      if (!item.isEmpty()) {
        out.add(item);
      }
    }
    return out.toArray(new String[0]);
  }
}
