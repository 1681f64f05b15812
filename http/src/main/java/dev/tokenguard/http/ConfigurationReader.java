package dev.tokenguard.http;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.Algorithm;
import dev.tokenguard.DpopPolicy;
import dev.tokenguard.Requirement;
import dev.tokenguard.TrustedIssuer;
import dev.tokenguard.dpop.DpopNonces;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
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
 *   <tr><td>{@code dpop}</td><td>DPoP (RFC 9449): {@code allowed} (the default: the {@code Bearer}
 *       and {@code DPoP} schemes are both accepted, where the resource has a {@code public-url}),
 *       {@code required} (every path needs a DPoP-bound token with its proof) or {@code off}
 *       ({@link DpopPolicy})</td></tr>
 *   <tr><td>{@code dpop-algorithms}</td><td>the JWS algorithms a DPoP proof may be signed with,
 *       separated by commas or spaces, e.g. {@code ES256 PS256} (default {@code ES256 PS256 RS256
 *       EdDSA}; asymmetric ones only)</td></tr>
 *   <tr><td>{@code dpop-nonce-secret}</td><td>turns on server-provided DPoP nonces (RFC 9449
 *       section 9, {@link DpopNonces}): at least 32 random bytes in base64 or base64url, the same on
 *       every instance of the API. Give it indirectly, so it is not written into {@code web.xml}:
 *       {@code env:NAME} reads the environment variable {@code NAME}, {@code file:/path} the
 *       file at that path (trailing white space dropped); the secret itself is never logged nor
 *       put in a message</td></tr>
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
 *   <tr><td>{@code public-url}</td><td>the absolute URL clients reach the application at: the
 *       base of {@code resource_metadata} in every challenge and of the target URI a DPoP proof's
 *       {@code htu} must name, never taken from the request's {@code Host} or {@code X-Forwarded-*}
 *       (default: the origin of the resource identifier when metadata is published; else none, and
 *       the {@code DPoP} scheme is not accepted); publishes metadata when the single {@code
 *       audience} is an https URL</td></tr>
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
 *       ({@code auth_time}; RFC 9470), a whole number from 0;
 *   <li>{@code dpop=required}: the token must be DPoP-bound and come with the {@code DPoP} scheme
 *       and its proof ({@link Requirement#withDpop()}, RFC 9449); bearer tokens are refused there.
 * </ul>
 *
 * A rule may have scopes, step-up and DPoP items or both ({@code /api/records=read:patients
 * acr=urn:example:mfa max-age=300}; {@code /api/transfers=max-age=60 dpop=required}). Another item
 * containing {@code =} is refused, so a misspelled {@code acr} cannot become a scope; a scope or acr value
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
  static final String DPOP = "dpop";
  static final String DPOP_ALGORITHMS = "dpop-algorithms";
  static final String DPOP_NONCE_SECRET = "dpop-nonce-secret";

  private static final Set<String> NAMES = Collections.unmodifiableSet(new TreeSet<>(List.of(ISSUER, AUDIENCE, JWKS_URI,
      SCOPE_CLAIMS, REALM, PUBLIC_PATHS, SCOPE_RULES, ALLOW_OPTIONS, ACCEPT_QUERY_TOKEN, ACCEPT_FORM_TOKEN,
      RETRY_AFTER_SECONDS, RESOURCE, PUBLIC_URL, RESOURCE_NAME, RESOURCE_DOCUMENTATION, DPOP, DPOP_ALGORITHMS,
      DPOP_NONCE_SECRET)));

  private static final String ACR_ITEM = "acr=";
  private static final String MAX_AGE_ITEM = "max-age=";
  private static final String DPOP_ITEM = "dpop=";
  private static final String ENV_PREFIX = "env:";
  private static final String FILE_PREFIX = "file:";

  private static final Pattern LIST_SEPARATOR = Pattern.compile("[,\\s]+");

  private final Function<String, String> values;
  private final Function<String, String> label;
  /** Reads an environment variable (for {@code env:NAME}); {@link System#getenv(String)} outside tests. */
  private final Function<String, String> environment;

  private ConfigurationReader(Function<String, String> values, Function<String, String> label,
      Function<String, String> environment) {
    this.values = values;
    this.label = label;
    this.environment = environment;
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
    return of(present, values, label, System::getenv);
  }

  /** {@link #of(Collection, Function, Function)} reading {@code env:NAME} values through {@code environment} (tests). */
  static ConfigurationReader of(Collection<String> present, Function<String, String> values, Function<String, String> label,
      Function<String, String> environment) {
    Objects.requireNonNull(present, "present");
    Objects.requireNonNull(values, "values");
    Objects.requireNonNull(label, "label");
    for (String name : present) {
      if (!NAMES.contains(Objects.requireNonNull(name, "name"))) {
        throw new IllegalArgumentException("unknown " + label.apply(name) + "; known: " + NAMES);
      }
    }
    return new ConfigurationReader(values, label, Objects.requireNonNull(environment, "environment"));
  }

  /**
   * A verifier builder from {@code issuer}, {@code audience}, {@code jwks-uri}, {@code
   * scope-claims} and the DPoP settings ({@code dpop}, {@code dpop-algorithms}, {@code
   * dpop-nonce-secret}: a {@link DpopPolicy} given to {@link AccessTokenVerifier.Builder#dpop},
   * only when one of them is present); adjust it (a clock, algorithms, a shared DPoP replay store)
   * before building. With several issuers, the first is the builder's own {@link
   * AccessTokenVerifier.Builder#issuer(String) issuer} and each other one is {@link
   * AccessTokenVerifier.Builder#trust trusted} with its own keys found through discovery and the
   * same {@code scope-claims}.
   *
   * @return a new verifier builder holding those settings
   * @throws IllegalStateException when {@code issuer} or {@code audience} is missing
   * @throws IllegalArgumentException when one of them is malformed, {@code jwks-uri} is given
   *     with several issuers, or {@code dpop-algorithms} or {@code dpop-nonce-secret} is given
   *     with {@code dpop=off} (the message names the setting, never the secret)
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
    DpopPolicy dpop = dpopPolicy();
    if (dpop != null) {
      verifier.dpop(dpop);
    }
    return verifier;
  }

  /** The DPoP policy the {@code dpop*} settings describe, or null when none is present (the builder's default holds). */
  private DpopPolicy dpopPolicy() {
    String mode = value(DPOP);
    String algorithms = value(DPOP_ALGORITHMS);
    String secret = value(DPOP_NONCE_SECRET);
    if (mode == null && algorithms == null && secret == null) {
      return null;
    }
    DpopPolicy policy;
    if (mode == null || mode.equals("allowed")) {
      policy = DpopPolicy.defaults();
    } else if (mode.equals("required")) {
      policy = DpopPolicy.defaults().required();
    } else if (mode.equals("off")) {
      if (algorithms != null || secret != null) {
        throw new IllegalArgumentException(label.apply(algorithms != null ? DPOP_ALGORITHMS : DPOP_NONCE_SECRET)
            + " has no effect with " + label.apply(DPOP) + "=off: remove one of them");
      }
      return DpopPolicy.disabled();
    } else {
      throw new IllegalArgumentException(label.apply(DPOP) + " must be off, allowed or required, got " + mode);
    }
    if (algorithms != null) {
      List<Algorithm> chosen = new ArrayList<>();
      for (String name : list(algorithms)) {
        chosen.add(algorithm(name));
      }
      policy = policy.withAlgorithms(chosen.toArray(new Algorithm[0]));
    }
    if (secret != null) {
      byte[] bytes = nonceSecret(secret);
      try {
        DpopNonces nonces;
        try {
          nonces = DpopNonces.fromSecret(bytes);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(label.apply(DPOP_NONCE_SECRET) + ": " + e.getMessage()
              + " (make one with: openssl rand -base64 32)", e);
        }
        policy = policy.withNonces(nonces);
      } finally {
        Arrays.fill(bytes, (byte) 0);
      }
    }
    return policy;
  }

  /** A proof algorithm by its JOSE name, exactly ({@code ES256}, {@code EdDSA}). */
  private Algorithm algorithm(String name) {
    for (Algorithm a : Algorithm.values()) {
      if (a.name().equals(name)) {
        return a;
      }
    }
    throw new IllegalArgumentException(label.apply(DPOP_ALGORITHMS) + ": " + name + " is not an algorithm a DPoP proof may"
        + " use here (asymmetric ones only, RFC 9449 section 4.3 check 5); known: " + Arrays.toString(Algorithm.values()));
  }

  /**
   * The nonce secret's bytes: the value itself, the environment variable of {@code env:NAME} or
   * the file of {@code file:/path}, in base64 or base64url. Messages name where the secret was
   * looked for, never what was found.
   */
  private byte[] nonceSecret(String value) {
    String name = label.apply(DPOP_NONCE_SECRET);
    String text;
    if (value.startsWith(ENV_PREFIX)) {
      String variable = value.substring(ENV_PREFIX.length()).trim();
      text = variable.isEmpty() ? null : environment.apply(variable);
      if (text == null || text.isBlank()) {
        throw new IllegalArgumentException(name + ": the environment variable " + variable + " is not set or empty");
      }
    } else if (value.startsWith(FILE_PREFIX)) {
      Path file = Path.of(value.substring(FILE_PREFIX.length()).trim());
      try {
        text = Files.readString(file, StandardCharsets.US_ASCII);
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException(name + ": cannot read the file " + file + " (" + e.getClass().getSimpleName() + ")");
      }
    } else {
      text = value;
    }
    String compact = text.strip();
    try {
      return compact.indexOf('-') >= 0 || compact.indexOf('_') >= 0
          ? Base64.getUrlDecoder().decode(compact)
          : Base64.getDecoder().decode(compact);
    } catch (IllegalArgumentException e) {
      // The decoder's message may quote a character of the secret: say only what is wrong.
      throw new IllegalArgumentException(name + " is not base64 or base64url text (make one with: openssl rand -base64 32)");
    }
  }

  /**
   * A resource builder for {@code verifier} from {@code realm}, {@code public-paths}, {@code
   * scope-rules}, {@code allow-options}, {@code accept-query-token}, {@code accept-form-token},
   * {@code retry-after-seconds}, {@code public-url} and the metadata settings ({@code resource},
   * {@code resource-name}, {@code resource-documentation}, and {@code public-url} with a single
   * audience that is an https URL; with any of them present the resource publishes RFC 9728
   * metadata whose {@code authorization_servers} are the {@code issuer}s, and without an {@code
   * issuer} setting that member is left out). Whether the resource accepts DPoP follows {@code
   * verifier}'s {@link AccessTokenVerifier#dpopPolicy() policy} and the public URL. The resource it
   * builds does not own {@code verifier}.
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

  /**
   * Sets the public URL, and publishes RFC 9728 metadata when a metadata setting is present: {@code
   * resource}, {@code resource-name} or {@code resource-documentation}, or {@code public-url} with
   * a single {@code audience} that is a resource identifier (an https URL). {@code public-url}
   * alone, with an audience that is none, is only the base of the DPoP target URI.
   */
  private void addMetadata(ProtectedResource.Builder resource) {
    String identifier = value(RESOURCE);
    String publicUrl = value(PUBLIC_URL);
    String name = value(RESOURCE_NAME);
    String documentation = value(RESOURCE_DOCUMENTATION);
    boolean metadataSetting = identifier != null || name != null || documentation != null;
    if (!metadataSetting && publicUrl == null) {
      return;
    }
    String resourceLabel = label.apply(RESOURCE);
    if (identifier == null) {
      String audience = value(AUDIENCE);
      String[] audiences = audience == null ? new String[0] : list(audience);
      if (!metadataSetting && (audiences.length != 1 || !isResourceIdentifier(audiences[0]))) {
        setPublicUrl(resource, publicUrl);
        return;
      }
      if (audiences.length != 1) {
        throw new IllegalStateException(resourceLabel + " is required to publish protected-resource metadata"
            + (audiences.length == 0 ? "" : " (" + label.apply(AUDIENCE) + " holds " + audiences.length + " values)")
            + ": the resource identifier, an https URL such as https://api.example.com");
      }
      identifier = audiences[0];
      resourceLabel = label.apply(AUDIENCE) + " (the default of " + label.apply(RESOURCE) + ")";
    }
    resource.publishMetadata(metadata(identifier, resourceLabel, name, documentation));
    if (publicUrl != null) {
      setPublicUrl(resource, publicUrl);
    }
  }

  /**
   * The RFC 9728 document for {@code identifier} (named by {@code resourceLabel} in messages), with
   * the {@code issuer}s as its authorization servers, and its {@code name} and {@code documentation}
   * when set.
   */
  private ProtectedResourceMetadata metadata(String identifier, String resourceLabel, String name, String documentation) {
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
    return metadata.build();
  }

  private void setPublicUrl(ProtectedResource.Builder resource, String publicUrl) {
    URI url;
    try {
      url = new URI(publicUrl);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException(label.apply(PUBLIC_URL) + " is not a URI: " + e.getMessage(), e);
    }
    apply(PUBLIC_URL, () -> resource.publicUrl(url));
  }

  private static boolean isResourceIdentifier(String value) {
    try {
      ProtectedResourceMetadata.builder(value);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
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
      if (!r.isEmpty()) {
        addRule(resource, r, name);
      }
    }
  }

  /** Parses one non-empty rule {@code r} ({@code pattern=items}) and adds its requirement; {@code name} labels errors. */
  private void addRule(ProtectedResource.Builder resource, String r, String name) {
    int eq = r.indexOf('=');
    if (eq <= 0 || eq == r.length() - 1) {
      throw new IllegalArgumentException(name + ": each rule is pattern=scopes (and acr=..., max-age=..., dpop=required), got "
          + r);
    }
    String pattern = r.substring(0, eq).trim();
    List<String> scopeItems = new ArrayList<>();
    List<String> acrValues = null;
    Duration maxAge = null;
    boolean dpop = false;
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
      } else if (item.startsWith(DPOP_ITEM)) {
        if (!item.equals(DPOP_ITEM + "required") || dpop) {
          throw new IllegalArgumentException(name + ": a rule has at most one dpop item, dpop=required, got " + r);
        }
        dpop = true;
      } else if (item.contains("=")) {
        throw new IllegalArgumentException(name + ": an item holding = is acr=..., max-age=... or dpop=required (no spaces"
            + " around =), got " + item + " in " + r);
      } else if (!item.isEmpty()) {
        scopeItems.add(item);
      }
    }
    List<String> acr = acrValues;
    Duration age = maxAge;
    boolean requiresDpop = dpop;
    apply(SCOPE_RULES, () -> resource.require(pattern, requirement(scopeItems, acr, age, requiresDpop, name, r)));
  }

  /** The requirement of rule {@code r}: its scopes, then its acr values, max age and DPoP when given. */
  private static Requirement requirement(List<String> scopeItems, List<String> acr, Duration age, boolean requiresDpop,
      String name, String r) {
    Requirement requirement = scopes(String.join(" ", scopeItems), name, r);
    if (acr != null) {
      requirement = requirement.withAcrValues(acr.toArray(new String[0]));
    }
    if (age != null) {
      requirement = requirement.withMaxAge(age);
    }
    if (requiresDpop) {
      requirement = requirement.withDpop();
    }
    return requirement;
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
