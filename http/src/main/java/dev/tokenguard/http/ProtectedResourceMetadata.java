package dev.tokenguard.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The protected-resource metadata document of an API (RFC 9728 section 2): a JSON object telling
 * clients which resource this is, which authorization servers issue its tokens, which scopes it
 * uses and how a token may be sent. MCP servers must publish it (MCP authorization specification,
 * "Authorization Server Location"); MCP clients find their authorization server through it.
 *
 * <pre>{@code
 * ProtectedResourceMetadata metadata = ProtectedResourceMetadata.builder("https://mcp.example.com/mcp")
 *     .authorizationServers("https://tenant.us.auth0.com/")
 *     .resourceName("Example MCP server")
 *     .build();
 * ProtectedResource resource = ProtectedResource.builder(verifier)
 *     .requireScopes("/mcp", "mcp:tools")
 *     .publishMetadata(metadata)          // served, with scopes_supported from the rules
 *     .build();
 * }</pre>
 *
 * <p>Members, in the order written: {@code resource} (required), {@code authorization_servers},
 * {@code scopes_supported}, {@code bearer_methods_supported} (here {@code ["header"]}; a {@link
 * ProtectedResource} publishing the document puts the methods it accepts), {@code resource_name},
 * {@code resource_documentation}, {@code dpop_signing_alg_values_supported}, {@code
 * dpop_bound_access_tokens_required}, then any {@link Builder#member(String, Object) further
 * members} in the order given. A member with no value is left out (RFC 9728 section 3.2). The JSON
 * is written by jackson-core, with every character outside ASCII escaped, so the document is
 * printable ASCII.
 *
 * <p>{@link #wellKnownPath()} is where the document belongs (RFC 9728 section 3): {@code
 * /.well-known/oauth-protected-resource} followed by the path of the resource identifier, without a
 * trailing slash.
 *
 * <p>Immutable and thread-safe.
 */
public final class ProtectedResourceMetadata {
  /** The well-known URI path of protected-resource metadata (RFC 9728 section 3, RFC 8615). */
  static final String WELL_KNOWN = "/.well-known/oauth-protected-resource";
  /** What {@code bearer_methods_supported} holds unless a resource says otherwise (RFC 6750 section 2.1). */
  static final List<String> HEADER_ONLY = List.of("header");

  /** Members the builder writes itself; {@link Builder#member} refuses them. */
  private static final Set<String> OWN_MEMBERS = Set.of("resource", "authorization_servers", "scopes_supported",
      "bearer_methods_supported", "resource_name", "resource_documentation", "dpop_signing_alg_values_supported",
      "dpop_bound_access_tokens_required");
  private static final Pattern MEMBER_NAME = Pattern.compile("[A-Za-z0-9_.:#-]{1,100}");
  private static final int MAX_VALUE_DEPTH = 16;
  private static final JsonFactory JSON = JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  private final String resource;
  private final URI resourceUri;
  private final List<String> authorizationServers;
  /** Null when not given: a resource fills in the scopes its rules name. */
  private final List<String> scopesSupported;
  private final List<String> bearerMethods;
  private final String resourceName;
  private final String resourceDocumentation;
  private final List<String> dpopAlgs;
  private final Boolean dpopRequired;
  private final Map<String, Object> members;
  private final String json;

  private ProtectedResourceMetadata(Builder b, List<String> scopesSupported, List<String> bearerMethods) {
    this.resource = b.resource;
    this.resourceUri = b.resourceUri;
    this.authorizationServers = List.copyOf(b.authorizationServers);
    this.scopesSupported = scopesSupported == null ? null : List.copyOf(scopesSupported);
    this.bearerMethods = List.copyOf(bearerMethods);
    this.resourceName = b.resourceName;
    this.resourceDocumentation = b.resourceDocumentation;
    this.dpopAlgs = List.copyOf(b.dpopAlgs);
    this.dpopRequired = b.dpopRequired;
    this.members = Collections.unmodifiableMap(new LinkedHashMap<>(b.members));
    this.json = write();
  }

  /**
   * The same document with {@code scopes} (unless scopes were given), {@code bearerMethods}, and
   * the DPoP members {@code dpopAlgs} and {@code dpopRequired} (null: none) unless given: what a
   * resource publishes.
   */
  private ProtectedResourceMetadata(ProtectedResourceMetadata m, List<String> scopes, List<String> bearerMethods,
      List<String> dpopAlgs, Boolean dpopRequired) {
    this.resource = m.resource;
    this.resourceUri = m.resourceUri;
    this.authorizationServers = m.authorizationServers;
    this.scopesSupported = m.scopesSupported != null ? m.scopesSupported : List.copyOf(scopes);
    this.bearerMethods = List.copyOf(bearerMethods);
    this.resourceName = m.resourceName;
    this.resourceDocumentation = m.resourceDocumentation;
    this.dpopAlgs = !m.dpopAlgs.isEmpty() ? m.dpopAlgs : List.copyOf(dpopAlgs);
    this.dpopRequired = m.dpopRequired != null ? m.dpopRequired : dpopRequired;
    this.members = m.members;
    this.json = write();
  }

  /**
   * A builder for the metadata of the resource identified by {@code resource} (RFC 9728 section
   * 1.2; for an MCP server its canonical URI, the RFC 8707 {@code resource} its clients ask tokens
   * for, which the verifier takes as its audience).
   *
   * @param resource the resource identifier exactly as clients will compare it: an absolute https
   *     URL (http only for a loopback host) without user info, query or fragment, and without
   *     empty, {@code .} or {@code ..} path segments, e.g. {@code https://mcp.example.com/mcp}
   * @return a new builder
   * @throws NullPointerException when {@code resource} is null
   * @throws IllegalArgumentException when {@code resource} is not such a URL
   */
  public static Builder builder(String resource) {
    return new Builder(resource);
  }

  /**
   * The resource identifier, exactly as given ({@code resource}; RFC 9728 section 3.3 has clients
   * compare it code point by code point).
   *
   * @return the resource identifier URL
   */
  public String resource() {
    return resource;
  }

  /**
   * The issuer identifiers of the authorization servers whose tokens this resource accepts ({@code
   * authorization_servers}, RFC 8414 issuer identifiers), in the order given.
   *
   * @return the identifiers; empty when not given (the member is then left out); unmodifiable
   */
  public List<String> authorizationServers() {
    return authorizationServers;
  }

  /**
   * The scopes clients use to ask for access to this resource ({@code scopes_supported}), in order.
   *
   * @return the scopes; empty when none were given and no resource has filled them in; unmodifiable
   */
  public List<String> scopesSupported() {
    return scopesSupported == null ? List.of() : scopesSupported;
  }

  /**
   * How a token may be sent ({@code bearer_methods_supported}, RFC 6750 section 2): {@code
   * header}, then {@code body} and {@code query} when the publishing resource accepts them.
   *
   * @return the methods, {@code ["header"]} unless a resource says otherwise; unmodifiable
   */
  public List<String> bearerMethodsSupported() {
    return bearerMethods;
  }

  /**
   * The human-readable name of the resource ({@code resource_name}).
   *
   * @return the name, or empty
   */
  public Optional<String> resourceName() {
    return Optional.ofNullable(resourceName);
  }

  /**
   * The URL of the resource's documentation for developers ({@code resource_documentation}).
   *
   * @return the URL, or empty
   */
  public Optional<String> resourceDocumentation() {
    return Optional.ofNullable(resourceDocumentation);
  }

  /**
   * The JWS algorithms the resource accepts for DPoP proofs ({@code dpop_signing_alg_values_supported},
   * RFC 9728 section 2, RFC 9449).
   *
   * @return the {@code alg} values; empty when not given; unmodifiable
   */
  public List<String> dpopSigningAlgValuesSupported() {
    return dpopAlgs;
  }

  /**
   * Whether the resource always requires DPoP-bound access tokens ({@code
   * dpop_bound_access_tokens_required}; absent means false).
   *
   * @return the value given, or empty when the member is left out
   */
  public Optional<Boolean> dpopBoundAccessTokensRequired() {
    return Optional.ofNullable(dpopRequired);
  }

  /**
   * The further members, by name in the order given, with values as given to {@link
   * Builder#member(String, Object)} (lists and maps unmodifiable copies).
   *
   * @return member name to value; unmodifiable
   */
  public Map<String, Object> additionalMembers() {
    return members;
  }

  /**
   * The path of the URL this document belongs at (RFC 9728 section 3): {@code
   * /.well-known/oauth-protected-resource}, followed by the path of the resource identifier (as
   * written in it, percent-encoded) without its trailing slash. {@code https://api.example.com}
   * and {@code https://api.example.com/} give {@code /.well-known/oauth-protected-resource};
   * {@code https://api.example.com/v2/mcp} and {@code https://api.example.com/v2/mcp/} give {@code
   * /.well-known/oauth-protected-resource/v2/mcp}.
   *
   * @return the path, starting with {@code /}
   */
  public String wellKnownPath() {
    return WELL_KNOWN + pathWithoutTrailingSlash(resourceUri.getRawPath());
  }

  /**
   * The document as JSON (RFC 8259): one object, no insignificant whitespace, characters outside
   * ASCII escaped as {@code \\uXXXX}.
   *
   * @return the JSON text, printable ASCII
   */
  public String toJson() {
    return json;
  }

  /** The JSON text ({@link #toJson()}). */
  @Override
  public String toString() {
    return json;
  }

  /** Equal when the JSON texts ({@link #toJson()}) are equal. */
  @Override
  public boolean equals(Object o) {
    return o instanceof ProtectedResourceMetadata && ((ProtectedResourceMetadata) o).json.equals(json);
  }

  @Override
  public int hashCode() {
    return json.hashCode();
  }

  /** The resource identifier as a URI. */
  URI resourceUri() {
    return resourceUri;
  }

  /**
   * The request paths (decoded, as {@link ResourceRequest#path()} gives them) this document is
   * served at: {@link #wellKnownPath()}; when the resource identifier's path ends with a slash,
   * that path with its slash too (the literal reading of RFC 9728 section 3); and the bare {@code
   * /.well-known/oauth-protected-resource}, where MCP clients look when a challenge names no
   * metadata URL.
   */
  Set<String> servedPaths() {
    Set<String> paths = new LinkedHashSet<>();
    String decoded = resourceUri.getPath() == null ? "" : resourceUri.getPath();
    paths.add(WELL_KNOWN + pathWithoutTrailingSlash(decoded));
    if (decoded.length() > 1 && decoded.endsWith("/")) {
      paths.add(WELL_KNOWN + decoded);
    }
    paths.add(WELL_KNOWN);
    return paths;
  }

  /**
   * This document as a resource publishes it: its rules' scopes unless scopes were given, the
   * methods it accepts, and, unless given, the DPoP proof algorithms it accepts ({@code dpopAlgs},
   * empty when it accepts no DPoP) and whether it requires DPoP everywhere ({@code dpopRequired},
   * null to leave the member out).
   */
  ProtectedResourceMetadata publishedBy(Collection<String> ruleScopes, List<String> bearerMethods, List<String> dpopAlgs,
      Boolean dpopRequired) {
    return new ProtectedResourceMetadata(this, new ArrayList<>(ruleScopes), bearerMethods, dpopAlgs, dpopRequired);
  }

  private static String pathWithoutTrailingSlash(String path) {
    if (path == null || path.isEmpty() || path.equals("/")) {
      return "";
    }
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private String write() {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("resource", resource);
      writeArray(g, "authorization_servers", authorizationServers);
      writeArray(g, "scopes_supported", scopesSupported());
      writeArray(g, "bearer_methods_supported", bearerMethods);
      if (resourceName != null) {
        g.writeStringField("resource_name", resourceName);
      }
      if (resourceDocumentation != null) {
        g.writeStringField("resource_documentation", resourceDocumentation);
      }
      writeArray(g, "dpop_signing_alg_values_supported", dpopAlgs);
      if (dpopRequired != null) {
        g.writeBooleanField("dpop_bound_access_tokens_required", dpopRequired);
      }
      for (Map.Entry<String, Object> member : members.entrySet()) {
        g.writeFieldName(member.getKey());
        writeValue(g, member.getValue());
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  /** An array member; left out when empty (RFC 9728 section 3.2: zero values are omitted). */
  private static void writeArray(JsonGenerator g, String name, List<String> values) throws IOException {
    if (values.isEmpty()) {
      return;
    }
    g.writeArrayFieldStart(name);
    for (String value : values) {
      g.writeString(value);
    }
    g.writeEndArray();
  }

  private static void writeValue(JsonGenerator g, Object value) throws IOException {
    if (value instanceof String) {
      g.writeString((String) value);
    } else if (value instanceof Boolean) {
      g.writeBoolean((Boolean) value);
    } else if (value instanceof BigDecimal) {
      g.writeNumber((BigDecimal) value);
    } else if (value instanceof BigInteger) {
      g.writeNumber((BigInteger) value);
    } else if (value instanceof Double || value instanceof Float) {
      g.writeNumber(((Number) value).doubleValue());
    } else if (value instanceof Number) {
      g.writeNumber(((Number) value).longValue());
    } else if (value instanceof List) {
      g.writeStartArray();
      for (Object element : (List<?>) value) {
        writeValue(g, element);
      }
      g.writeEndArray();
    } else {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
        g.writeFieldName((String) e.getKey());
        writeValue(g, e.getValue());
      }
      g.writeEndObject();
    }
  }

  /**
   * Configures a {@link ProtectedResourceMetadata}. Not thread-safe. Setters check their arguments
   * at once and throw {@link IllegalArgumentException} (or {@link NullPointerException} for a
   * null); setting a member twice throws {@link IllegalStateException}.
   */
  public static final class Builder {
    private final String resource;
    private final URI resourceUri;
    private List<String> authorizationServers = List.of();
    private List<String> scopesSupported;
    private String resourceName;
    private String resourceDocumentation;
    private List<String> dpopAlgs = List.of();
    private Boolean dpopRequired;
    private final Map<String, Object> members = new LinkedHashMap<>();

    private Builder(String resource) {
      this.resourceUri = checkResource(resource);
      this.resource = resource;
    }

    /**
     * The issuer identifiers of the authorization servers that issue tokens for this resource
     * ({@code authorization_servers}; RFC 8414 issuer identifiers, usually the verifier's trusted
     * issuers exactly as their tokens carry them in {@code iss}). The MCP authorization
     * specification requires at least one. Duplicates are dropped.
     *
     * @param issuers one or more absolute https URLs (http only for a loopback host) without user
     *     info, query or fragment
     * @return this builder
     * @throws IllegalArgumentException when none is given or one is not such a URL
     * @throws IllegalStateException when the authorization servers were already set
     */
    public Builder authorizationServers(String... issuers) {
      Objects.requireNonNull(issuers, "issuers");
      once(!authorizationServers.isEmpty(), "authorization_servers");
      if (issuers.length == 0) {
        throw new IllegalArgumentException("authorization_servers needs at least one issuer identifier");
      }
      Set<String> checked = new LinkedHashSet<>();
      for (String issuer : issuers) {
        Urls.check("an authorization server issuer identifier", issuer, false);
        checked.add(issuer);
      }
      this.authorizationServers = List.copyOf(checked);
      return this;
    }

    /**
     * The scopes to advertise ({@code scopes_supported}), replacing those a publishing {@link
     * ProtectedResource} would take from its rules (RFC 9728 section 7.2: a resource may leave
     * some out). Duplicates are dropped.
     *
     * @param scopes one or more RFC 6750 scope tokens (printable ASCII without spaces, {@code "}
     *     or {@code \})
     * @return this builder
     * @throws IllegalArgumentException when none is given or one is not a scope token
     * @throws IllegalStateException when the scopes were already set
     */
    public Builder scopesSupported(String... scopes) {
      Objects.requireNonNull(scopes, "scopes");
      once(scopesSupported != null, "scopes_supported");
      this.scopesSupported = tokens(scopes, "scope");
      return this;
    }

    /**
     * The human-readable name of the resource, for display to users ({@code resource_name}; RFC
     * 9728 recommends it). Language-tagged variants ({@code resource_name#fr}) are further
     * {@link #member(String, Object) members}.
     *
     * @param name any text without control characters
     * @return this builder
     * @throws IllegalArgumentException when blank or holding a control character
     * @throws IllegalStateException when the name was already set
     */
    public Builder resourceName(String name) {
      Objects.requireNonNull(name, "name");
      once(resourceName != null, "resource_name");
      if (name.isBlank() || name.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalArgumentException("resource_name must be non-blank text without control characters");
      }
      this.resourceName = name;
      return this;
    }

    /**
     * The URL of a page documenting the resource for developers ({@code resource_documentation}).
     *
     * @param url an absolute http or https URL
     * @return this builder
     * @throws IllegalArgumentException when not such a URL
     * @throws IllegalStateException when the documentation URL was already set
     */
    public Builder resourceDocumentation(String url) {
      Objects.requireNonNull(url, "url");
      once(resourceDocumentation != null, "resource_documentation");
      URI uri;
      try {
        uri = new URI(url);
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException("resource_documentation is not a URI: " + e.getMessage(), e);
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
      if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
        throw new IllegalArgumentException("resource_documentation must be an absolute http or https URL: " + url);
      }
      this.resourceDocumentation = url;
      return this;
    }

    /**
     * The JWS algorithms the resource accepts for DPoP proofs ({@code
     * dpop_signing_alg_values_supported}, RFC 9449): asymmetric algorithms only.
     *
     * @param algs one or more {@code alg} values, e.g. {@code ES256}, {@code RS256}
     * @return this builder
     * @throws IllegalArgumentException when none is given, or one is {@code none}, a MAC
     *     ({@code HS...}) or not a token
     * @throws IllegalStateException when the algorithms were already set
     */
    public Builder dpopSigningAlgValuesSupported(String... algs) {
      Objects.requireNonNull(algs, "algs");
      once(!dpopAlgs.isEmpty(), "dpop_signing_alg_values_supported");
      List<String> checked = tokens(algs, "DPoP alg");
      for (String alg : checked) {
        if (alg.equals("none") || alg.startsWith("HS")) {
          throw new IllegalArgumentException("a DPoP proof is signed with an asymmetric algorithm, not " + alg + " (RFC 9449 section 4.2)");
        }
      }
      this.dpopAlgs = checked;
      return this;
    }

    /**
     * Whether the resource always requires DPoP-bound access tokens ({@code
     * dpop_bound_access_tokens_required}; RFC 9728 section 2). Advertise {@code true} only when the
     * resource refuses bearer tokens.
     *
     * @param required the value to publish
     * @return this builder
     * @throws IllegalStateException when the value was already set
     */
    public Builder dpopBoundAccessTokensRequired(boolean required) {
      once(dpopRequired != null, "dpop_bound_access_tokens_required");
      this.dpopRequired = required;
      return this;
    }

    /**
     * A further member (RFC 9728 section 2: "additional protected resource metadata parameters
     * MAY also be used"), such as {@code resource_policy_uri}, {@code resource_tos_uri}, {@code
     * jwks_uri} or a language-tagged {@code resource_name#de}. Written after the members above, in
     * the order given.
     *
     * @param name 1 to 100 of {@code A-Z a-z 0-9 _ . : # -}, not a member this builder sets itself
     *     ({@code resource}, {@code authorization_servers}, {@code scopes_supported}, {@code
     *     bearer_methods_supported}, {@code resource_name}, {@code resource_documentation} and the
     *     two DPoP members)
     * @param value a JSON value: a {@link String}, {@link Boolean}, integral {@link Number}
     *     ({@code Integer}, {@code Long}, {@code Short}, {@code Byte}, {@link BigInteger}), {@link
     *     BigDecimal}, finite {@code Double} or {@code Float}, or a {@link List} or a {@link Map}
     *     with {@code String} keys of such values, at most 16 levels deep; copied; no null
     * @return this builder
     * @throws IllegalArgumentException when the name or the value is not of that form
     * @throws IllegalStateException when a member of that name was already given
     */
    public Builder member(String name, Object value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (!MEMBER_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("a metadata member name is 1 to 100 of A-Z a-z 0-9 _ . : # -, got " + quote(name));
      }
      if (OWN_MEMBERS.contains(name)) {
        throw new IllegalArgumentException("the member " + name + " has its own builder method");
      }
      once(members.containsKey(name), name);
      members.put(name, copyValue(value, name, 1));
      return this;
    }

    /**
     * Builds the document. The builder may be used again.
     *
     * @return the document; immutable and thread-safe
     */
    public ProtectedResourceMetadata build() {
      return new ProtectedResourceMetadata(this, scopesSupported, HEADER_ONLY);
    }

    private static void once(boolean alreadySet, String member) {
      if (alreadySet) {
        throw new IllegalStateException(member + " was already set");
      }
    }

    private static Object copyValue(Object value, String name, int depth) {
      if (depth > MAX_VALUE_DEPTH) {
        throw new IllegalArgumentException("the value of member " + name + " nests deeper than " + MAX_VALUE_DEPTH + " levels");
      }
      if (value instanceof String || value instanceof Boolean || value instanceof BigDecimal || value instanceof BigInteger
          || value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
        return value;
      }
      if (value instanceof Double || value instanceof Float) {
        double d = ((Number) value).doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          throw new IllegalArgumentException("the value of member " + name + " holds a number JSON cannot write: " + d);
        }
        return value;
      }
      if (value instanceof List) {
        List<Object> copy = new ArrayList<>();
        for (Object element : (List<?>) value) {
          copy.add(copyValue(Objects.requireNonNull(element, name + " element"), name, depth + 1));
        }
        return Collections.unmodifiableList(copy);
      }
      if (value instanceof Map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
          if (!(e.getKey() instanceof String)) {
            throw new IllegalArgumentException("the value of member " + name + " holds a map whose keys are not all strings");
          }
          copy.put((String) e.getKey(), copyValue(Objects.requireNonNull(e.getValue(), name + " value"), name, depth + 1));
        }
        return Collections.unmodifiableMap(copy);
      }
      throw new IllegalArgumentException("the value of member " + name + " is not a JSON value: " + value.getClass().getName());
    }
  }

  /** The resource identifier, checked (see {@link #builder(String)}). */
  static URI checkResource(String resource) {
    URI uri = Urls.check("the resource identifier", resource, false);
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (path.contains("//")) {
      throw new IllegalArgumentException("the resource identifier has an empty path segment: " + resource);
    }
    for (String segment : path.split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("the resource identifier has a . or .. path segment: " + resource);
      }
    }
    return uri;
  }

  /** RFC 6750 scope-token strings: one or more, none empty, duplicates dropped. */
  private static List<String> tokens(String[] values, String what) {
    if (values.length == 0) {
      throw new IllegalArgumentException("give at least one " + what);
    }
    Set<String> out = new LinkedHashSet<>();
    for (String value : values) {
      Objects.requireNonNull(value, what);
      if (value.isEmpty() || !value.chars().allMatch(c -> Challenge.isScopeChar((char) c))) {
        throw new IllegalArgumentException("a " + what + " is printable ASCII without spaces, quotes or backslashes: " + quote(value));
      }
      out.add(value);
    }
    return List.copyOf(out);
  }

  /** A value for a message: quoted, at most 40 characters, controls shown as {@code ?}. */
  private static String quote(String value) {
    String shown = value.length() > 40 ? value.substring(0, 40) + "..." : value;
    return "\"" + shown.replaceAll("\\p{Cntrl}", "?") + "\"";
  }

  /** The methods of sending a token in RFC 6750 order ({@code header}, {@code body}, {@code query}) a resource accepts. */
  static List<String> bearerMethods(boolean body, boolean query) {
    List<String> methods = new ArrayList<>(3);
    methods.add("header");
    if (body) {
      methods.add("body");
    }
    if (query) {
      methods.add("query");
    }
    return List.copyOf(methods);
  }
}
