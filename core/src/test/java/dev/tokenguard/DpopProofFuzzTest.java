package dev.tokenguard;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.tokenguard.dpop.DpopNonces;
import dev.tokenguard.dpop.ReplayStore;
import dev.tokenguard.dpop.ReplayStores;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestClock;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of DPoP (RFC 9449): the {@code DPoP} header values and the proof in
 * them, through {@link AccessTokenVerifier#verify(TokenRequest)} of a verifier with DPoP allowed
 * or required, server nonces on, and one replay store shared by both (as two instances of an API
 * sharing Redis).
 *
 * <p>The contract under test: whatever the input, {@code verify} returns a token or throws {@link
 * TokenVerificationException} with a 401 reason (a {@code use_dpop_nonce} refusal carrying the
 * current nonce) within the per-input time limit, and it accepts a request only when the harness's
 * own model of RFC 9449 sections 4.3 and 7 says the request is valid: the model parses the proof's
 * header and claims with another JSON parser (Nimbus's), knows which key it signed with and with
 * which algorithm, compares {@code htu} with the request URI by its own RFC 3986 normalisation
 * ({@link ReferenceUri}, written apart from {@link TargetUri}), and remembers every proof accepted
 * so far. Any other outcome is a finding.
 *
 * <p>Input format (readable text, no committed JWT: the harness signs at run time). One setting
 * per line, {@code name value}; a missing line keeps the valid default; a later line replaces an
 * earlier one except {@code dpop}, which adds a header value:
 * <ul>
 *   <li>{@code verifier allowed|required}: DPoP accepted beside Bearer, or required;
 *   <li>{@code key ec|ed25519|rsa}: the holder key's type (the harness has two keys of each type,
 *       the holder's and another);
 *   <li>{@code token bound|other|unbound|expired}: the access token presented: bound to the
 *       holder's key, bound to the other key, not bound, bound to the holder's key but expired;
 *   <li>{@code scheme dpop|bearer}; {@code method GET}; {@code uri https://...} (the request's);
 *   <li>{@code header {json}}, {@code claims {json}}: the proof's header and claims, as raw text
 *       (any bytes), base64url-encoded as they are;
 *   <li>{@code sign holder|other|tampered|none|hs256|zero [alg]}: signed by the holder's key, by
 *       the other key, by the holder with one bit flipped, an empty signature, an HMAC keyed with
 *       the holder's thumbprint, zero bytes (any other word: the holder's key); with {@code alg}
 *       (RS256, PS256 for RSA keys) when the key can make it, else the key's own (ES256, EdDSA,
 *       RS256);
 *   <li>{@code dpop value}: one {@code DPoP} header value; several lines are several header
 *       lines, which reach the verifier combined with ", " as an HTTP stack combines repeated
 *       fields (RFC 9110 section 5.3); without any, the one value {@code $PROOF}; {@code nodpop}:
 *       no {@code DPoP} header.
 * </ul>
 * Placeholders in values: {@code $PROOF} (the proof built from the lines above), {@code $JWK},
 * {@code $PRIVATE_JWK}, {@code $OTHER_JWK} (public, private, the other key's public JWK), {@code
 * $ALG} (the key's own algorithm), {@code $JTI} (a new unique value), {@code $NOW} (the fixed
 * clock, epoch seconds), {@code $ATH} and {@code $OTHER_ATH} (the hash of the presented token, of
 * another token), {@code $NONCE} and {@code $OLD_NONCE} (the current nonce, one from ten minutes
 * ago), {@code $USED_PROOF} and {@code $USED_JTI} (a proof the verifier accepted at start-up, and
 * its {@code jti}).
 *
 * <p>Without {@code JAZZER_FUZZ} this runs the seeds and past findings under {@code
 * src/test/resources/dev/tokenguard/DpopProofFuzzTestInputs/verify/} as regression tests. A
 * campaign: {@code JAZZER_FUZZ=1 mvn -pl core test -Dtest=DpopProofFuzzTest
 * -Djazzer.max_duration=10m} (see SECURITY.md).
 */
class DpopProofFuzzTest {
  /** 2026-01-01T00:02:30Z: half-way through a nonce slot, so exactly one nonce is acceptable. */
  static final Instant NOW = Instant.parse("2026-01-01T00:02:30Z");
  static final long NOW_S = NOW.getEpochSecond();
  static final String URI_ = "https://api.example.test/patients";
  /** What the verifier's default policy accepts (DpopPolicy.defaults()). */
  static final Set<String> ALLOWED_ALGS = Set.of("ES256", "PS256", "RS256", "EdDSA");
  static final Set<String> SIGN_MODES = Set.of("holder", "other", "tampered", "none", "hs256", "zero");
  static final Set<String> PRIVATE_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");
  static final long MAX_AGE_S = 60;
  static final long FUTURE_SKEW_S = 5;
  /** Proofs accepted before the harness starts over with a new store (the clock never moves, so none expires). */
  static final int STORE_CAPACITY = 200_000;
  static final String DEFAULT_HEADER = "{\"typ\":\"dpop+jwt\",\"alg\":\"$ALG\",\"jwk\":$JWK}";
  static final String DEFAULT_CLAIMS = "{\"jti\":\"$JTI\",\"htm\":\"GET\",\"htu\":\"" + URI_
      + "\",\"iat\":$NOW,\"ath\":\"$ATH\",\"nonce\":\"$NONCE\"}";

  private static final Harness HARNESS = new Harness();

  @FuzzTest(maxDuration = "60s")
  @Timeout(10)
  @DictionaryEntries({
    "verifier ", "required", "allowed", "key ", "ec", "ed25519", "rsa", "token ", "bound", "other", "unbound", "expired",
    "scheme ", "dpop", "bearer", "method ", "uri ", "header ", "claims ", "sign ", "holder", "tampered", "none", "hs256",
    "zero", "dpop ", "nodpop", "$PROOF", "$JWK", "$PRIVATE_JWK", "$OTHER_JWK", "$ALG", "$JTI", "$NOW", "$ATH",
    "$OTHER_ATH", "$NONCE", "$OLD_NONCE", "$USED_PROOF", "$USED_JTI", "\"typ\"", "\"dpop+jwt\"", "\"application/dpop+jwt\"",
    "\"alg\"", "\"ES256\"", "\"RS256\"", "\"PS256\"", "\"EdDSA\"", "\"Ed25519\"", "\"none\"", "\"HS256\"", "\"jwk\"",
    "\"kty\"", "\"crv\"", "\"x\"", "\"y\"", "\"d\"", "\"n\"", "\"e\"", "\"crit\"", "\"kid\"", "\"jku\"", "\"x5c\"",
    "\"jti\"", "\"htm\"", "\"htu\"", "\"iat\"", "\"exp\"", "\"ath\"", "\"nonce\"", "https://", "HTTPS://", ":443", ":80",
    "%2F", "%2e", "/../", "/./", "?", "#", "@", "[::1]", ", ", "1e308", "-1", "null", "[", "{"
  })
  void verify(byte[] input) {
    HARNESS.run(Input.parse(input));
  }

  /** The harness itself: the valid seeds are accepted (so the fuzzer starts behind every check) and the broken ones refused. */
  @Test
  void validSeedsAreAcceptedAndBrokenOnesRefused() throws IOException {
    for (String seed : List.of("valid-es256", "valid-ed25519", "valid-rs256", "valid-ps256", "valid-required",
        "valid-htu-spelled-differently", "valid-uri-with-query", "valid-other-key-other-token", "valid-application-typ")) {
      Outcome outcome = HARNESS.run(Input.parse(seed(seed)));
      if (outcome == null || !outcome.accepted) {
        throw new AssertionError(seed + " was not accepted: " + (outcome == null ? "skipped" : outcome.refusal));
      }
    }
    for (String seed : List.of("replayed-proof", "replayed-jti", "two-dpop-headers", "no-dpop-header", "stale-iat",
        "future-iat", "wrong-htm", "wrong-htu", "wrong-ath", "missing-nonce", "old-nonce", "private-jwk", "alg-none",
        "hs256", "tampered-signature", "psychic-signature", "other-key-signs", "bound-token-as-bearer", "unbound-token-dpop",
        "typ-jwt", "crit", "expired-token", "required-bearer")) {
      Outcome outcome = HARNESS.run(Input.parse(seed(seed)));
      if (outcome == null || outcome.accepted) {
        throw new AssertionError(seed + " was " + (outcome == null ? "skipped" : "accepted"));
      }
    }
  }

  @AfterAll
  static void close() {
    HARNESS.close();
  }

  private static byte[] seed(String name) throws IOException {
    try (InputStream in = DpopProofFuzzTest.class.getResourceAsStream("DpopProofFuzzTestInputs/verify/" + name)) {
      if (in == null) {
        throw new AssertionError("missing seed " + name);
      }
      return in.readAllBytes();
    }
  }

  /** What happened to one input. */
  static final class Outcome {
    final boolean accepted;
    final TokenVerificationException refusal;

    Outcome(boolean accepted, TokenVerificationException refusal) {
      this.accepted = accepted;
      this.refusal = refusal;
    }
  }

  /** One fuzz input, parsed into its settings (placeholders not yet replaced). */
  static final class Input {
    String verifier = "allowed";
    String key = "ec";
    String token = "bound";
    String scheme = "dpop";
    String method = "GET";
    String uri = URI_;
    String header = DEFAULT_HEADER;
    String claims = DEFAULT_CLAIMS;
    String sign = "holder";
    String signAlg;
    List<String> dpop = new ArrayList<>();
    boolean noDpop;

    static Input parse(byte[] bytes) {
      Input in = new Input();
      for (String line : new String(bytes, UTF_8).split("\n", -1)) {
        int space = line.indexOf(' ');
        String name = space < 0 ? line : line.substring(0, space);
        String value = space < 0 ? "" : line.substring(space + 1);
        switch (name) {
          case "verifier": in.verifier = value; break;
          case "key": in.key = value; break;
          case "token": in.token = value; break;
          case "scheme": in.scheme = value; break;
          case "method": in.method = value; break;
          case "uri": in.uri = value; break;
          case "header": in.header = value; break;
          case "claims": in.claims = value; break;
          case "sign": {
            int s = value.indexOf(' ');
            in.sign = s < 0 ? value : value.substring(0, s);
            in.signAlg = s < 0 ? null : value.substring(s + 1);
            break;
          }
          case "dpop": in.dpop.add(value); break;
          case "nodpop": in.noDpop = true; break;
          default: break; // comments and noise
        }
      }
      return in;
    }
  }

  /** A key pair of one type as the harness uses it: its public JWK text, private JWK text, thumbprint, and how it signs. */
  static final class HolderKey {
    final String type;
    final JWK jwk;
    /** The Ed25519 private key (Nimbus signs Ed25519 only with Tink), else null. */
    final PrivateKey ed25519;
    final String publicJson;
    final String privateJson;
    final Map<String, Object> publicMembers;
    final String thumbprint;

    HolderKey(String type) {
      this.type = type;
      try {
        switch (type) {
          case "ec":
            jwk = new ECKeyGenerator(Curve.P_256).generate();
            ed25519 = null;
            break;
          case "rsa":
            jwk = new RSAKeyGenerator(2048).generate();
            ed25519 = null;
            break;
          default:
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            byte[] spki = pair.getPublic().getEncoded();
            byte[] x = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
            byte[] d = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow();
            jwk = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).d(Base64URL.encode(d)).build();
            ed25519 = pair.getPrivate();
        }
        JWK pub = jwk.toPublicJWK();
        publicJson = pub.toJSONString();
        privateJson = jwk.toJSONString();
        publicMembers = pub.toJSONObject();
        thumbprint = pub.computeThumbprint().toString();
      } catch (JOSEException | GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    String defaultAlg() {
      return type.equals("ec") ? "ES256" : type.equals("rsa") ? "RS256" : "EdDSA";
    }

    /** The algorithm this key signs {@code wanted} with: {@code wanted} when it can, else its own. */
    String algFor(String wanted) {
      if (type.equals("rsa") && ("RS256".equals(wanted) || "PS256".equals(wanted))) {
        return wanted;
      }
      return defaultAlg();
    }

    byte[] sign(String alg, byte[] input) {
      try {
        switch (type) {
          case "ec":
            return new ECDSASigner((ECKey) jwk).sign(new JWSHeader(JWSAlgorithm.ES256), input).decode();
          case "rsa":
            return new RSASSASigner((RSAKey) jwk).sign(new JWSHeader(JWSAlgorithm.parse(alg)), input).decode();
          default:
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(ed25519);
            s.update(input);
            return s.sign();
        }
      } catch (JOSEException | GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    int signatureLength() {
      return type.equals("rsa") ? 256 : 64;
    }
  }

  /** The holder's and the other key of one type, and the tokens presented with them. */
  static final class KeyKind {
    final HolderKey holder;
    final HolderKey other;
    final String bound;
    final String boundToOther;
    final String expired;

    KeyKind(String type, FakeIssuer issuer) {
      holder = new HolderKey(type);
      other = new HolderKey(type);
      bound = issuer.accessToken().claim("cnf", Map.of("jkt", holder.thumbprint)).sign();
      boundToOther = issuer.accessToken().claim("cnf", Map.of("jkt", other.thumbprint)).sign();
      expired = issuer.accessToken().claim("cnf", Map.of("jkt", holder.thumbprint)).expired().sign();
    }
  }

  /**
   * The verifiers, keys, tokens and the model's memory. The clock never moves: proofs are
   * remembered by the store for good, so after {@link #STORE_CAPACITY} acceptances the harness
   * starts over with a new store (and forgets with it).
   */
  static final class Harness {
    final TestClock clock = TestClock.at(NOW);
    final FakeIssuer issuer = FakeIssuer.builder().clock(clock).start();
    final DpopNonces nonces = DpopNonces.fromSecret("a DPoP nonce secret of the fuzz harness".getBytes(US_ASCII)).withClock(clock);
    final String oldNonce = DpopNonces.fromSecret("a DPoP nonce secret of the fuzz harness".getBytes(US_ASCII))
        .withClock(Clock.fixed(NOW.minus(Duration.ofMinutes(10)), ZoneOffset.UTC)).current();
    final String unbound = issuer.accessToken().sign();
    final Map<String, KeyKind> kinds = new LinkedHashMap<>();
    /** Thumbprint + "." + jti of every proof accepted since the store was made. */
    final Set<String> used = new HashSet<>();
    final Map<String, String> usedProof = new LinkedHashMap<>();
    final Map<String, String> usedJti = new LinkedHashMap<>();
    AccessTokenVerifier allowed;
    AccessTokenVerifier required;
    long counter;

    Harness() {
      for (String type : List.of("ec", "ed25519", "rsa")) {
        kinds.put(type, new KeyKind(type, issuer));
      }
      newStore();
    }

    /** A new replay store shared by both verifiers, and one accepted proof per key type for $USED_PROOF. */
    private void newStore() {
      if (allowed != null) {
        allowed.close();
        required.close();
      }
      ReplayStore store = ReplayStores.inMemory(STORE_CAPACITY + 1000, clock);
      DpopPolicy policy = DpopPolicy.defaults().withNonces(nonces).withReplayStore(store);
      allowed = issuer.verifierBuilder().dpop(policy).build();
      required = issuer.verifierBuilder().dpop(policy.required()).build();
      used.clear();
      for (KeyKind kind : kinds.values()) {
        Input in = new Input();
        in.key = kind.holder.type;
        Request request = build(in);
        allowed.verify(request.request); // throws if the harness's own valid proof were refused
        used.add(kind.holder.thumbprint + "." + request.jti);
        usedProof.put(kind.holder.type, request.proof);
        usedJti.put(kind.holder.type, request.jti);
      }
    }

    void close() {
      allowed.close();
      required.close();
      issuer.close();
    }

    /** Runs one input; null when it describes no request (a method or URI the API refuses before verifying). */
    Outcome run(Input in) {
      if (used.size() >= STORE_CAPACITY) {
        newStore();
      }
      Request r = build(in);
      if (r == null) {
        return null;
      }
      AccessTokenVerifier verifier = in.verifier.equals("required") ? required : allowed;
      AccessToken accepted;
      try {
        accepted = verifier.verify(r.request);
      } catch (TokenVerificationException e) {
        checkRefusal(e, r);
        return new Outcome(false, e);
      }
      String why = r.whyInvalid(this);
      if (why != null) {
        throw new AssertionError("accepted a request the model refuses: " + why);
      }
      if (!accepted.subject().equals(r.subjectExpected)) {
        throw new AssertionError("accepted a request for another token's subject");
      }
      if (r.scheme.equals("dpop")) {
        used.add(r.signer.thumbprint + "." + r.parsedJti);
      }
      return new Outcome(true, null);
    }

    private void checkRefusal(TokenVerificationException e, Request r) {
      if (e.reason() == null || e.httpStatus() != 401) {
        throw new AssertionError("unexpected refusal " + e.reason() + " / " + e.httpStatus());
      }
      if (!e.safeDescription().equals(e.reason().safeDescription())) {
        throw new AssertionError("safeDescription is not the fixed text of " + e.reason());
      }
      String message = String.valueOf(e.getMessage());
      for (String secret : new String[] {r.request.accessToken(), r.request.dpopProof().orElse(null), r.signature}) {
        if (secret != null && secret.length() >= 24 && message.contains(secret)) {
          throw new AssertionError("the refusal's message contains the token, the proof or its signature");
        }
      }
      if (e.reason() == TokenVerificationException.Reason.USE_DPOP_NONCE
          && !nonces.current().equals(e.dpopNonce().orElse(null))) {
        throw new AssertionError("a use_dpop_nonce refusal without the current nonce");
      }
    }

    /** The request an input describes, with what the model needs to judge it; null when TokenRequest refuses its method or URI. */
    Request build(Input in) {
      KeyKind kind = kinds.getOrDefault(in.key, kinds.get("ec"));
      Request r = new Request();
      r.scheme = in.scheme.equals("bearer") ? "bearer" : "dpop";
      r.tokenKind = in.token;
      switch (in.token) {
        case "other": r.token = kind.boundToOther; break;
        case "unbound": r.token = unbound; break;
        case "expired": r.token = kind.expired; break;
        default: r.token = kind.bound; r.tokenKind = "bound";
      }
      r.boundTo = r.tokenKind.equals("other") ? kind.other.thumbprint
          : r.tokenKind.equals("unbound") ? null : kind.holder.thumbprint;
      r.subjectExpected = subjectOf(r.token);
      String mode = SIGN_MODES.contains(in.sign) ? in.sign : "holder"; // any other word signs as the holder
      r.signer = mode.equals("other") ? kind.other : kind.holder;
      r.jti = "fuzz-" + (++counter);
      Map<String, String> values = new LinkedHashMap<>();
      values.put("$PRIVATE_JWK", kind.holder.privateJson);
      values.put("$OTHER_JWK", kind.other.publicJson);
      values.put("$JWK", kind.holder.publicJson);
      values.put("$ALG", kind.holder.defaultAlg());
      values.put("$USED_JTI", usedJti.getOrDefault(kind.holder.type, ""));
      values.put("$JTI", r.jti);
      values.put("$NOW", Long.toString(NOW_S));
      values.put("$OTHER_ATH", ath(unbound.equals(r.token) ? kind.bound : unbound));
      values.put("$ATH", ath(r.token));
      values.put("$OLD_NONCE", oldNonce);
      values.put("$NONCE", nonces.current());
      values.put("$USED_PROOF", usedProof.getOrDefault(kind.holder.type, ""));
      r.headerJson = substitute(in.header, values);
      r.claimsJson = substitute(in.claims, values);
      r.signedAlg = r.signer.algFor(in.signAlg == null ? kind.holder.defaultAlg() : in.signAlg);
      r.signMode = mode;
      String signingInput = b64(r.headerJson.getBytes(UTF_8)) + "." + b64(r.claimsJson.getBytes(UTF_8));
      byte[] input = signingInput.getBytes(US_ASCII);
      byte[] signature;
      switch (mode) {
        case "none":
          signature = new byte[0];
          break;
        case "zero":
          signature = new byte[r.signer.signatureLength()];
          break;
        case "hs256":
          signature = hmac(kind.holder.thumbprint, input);
          break;
        case "tampered":
          signature = r.signer.sign(r.signedAlg, input);
          signature[signature.length / 2] ^= 0x01;
          break;
        default:
          signature = r.signer.sign(r.signedAlg, input);
      }
      r.signature = b64(signature);
      r.proof = signingInput + "." + r.signature;
      values.put("$PROOF", r.proof);
      r.headerValues = new ArrayList<>();
      if (!in.noDpop) {
        if (in.dpop.isEmpty()) {
          r.headerValues.add(r.proof);
        }
        for (String value : in.dpop) {
          r.headerValues.add(substitute(value, values));
        }
      }
      String dpopHeader = r.headerValues.isEmpty() ? null : String.join(", ", r.headerValues);
      r.method = in.method;
      r.uri = in.uri;
      try {
        r.request = r.scheme.equals("bearer") ? TokenRequest.bearer(r.token)
            : TokenRequest.dpop(r.token, dpopHeader, in.method, URI.create(in.uri));
      } catch (IllegalArgumentException e) {
        return null; // the documented refusal of a method that is not a token or a URI that is not absolute http(s)
      }
      r.verifierRequires = in.verifier.equals("required");
      return r;
    }

    private String subjectOf(String token) {
      try {
        String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), UTF_8);
        return (String) JSONObjectUtils.parse(payload).get("sub");
      } catch (java.text.ParseException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** One request and the facts the model judges it by. */
  static final class Request {
    TokenRequest request;
    String scheme;
    String tokenKind;
    String token;
    /** The thumbprint the token's cnf.jkt names, or null. */
    String boundTo;
    String subjectExpected;
    HolderKey signer;
    String signedAlg;
    String signMode;
    String jti;
    String headerJson;
    String claimsJson;
    String signature;
    String proof;
    List<String> headerValues;
    String method;
    String uri;
    boolean verifierRequires;
    /** The accepted proof's jti, as the model read it. */
    String parsedJti;

    /** Why the model refuses this request (RFC 9449 sections 4.3 and 7 and the verifier's documented policy), or null when it is valid. */
    String whyInvalid(Harness h) {
      if (tokenKind.equals("expired")) {
        return "the token expired";
      }
      if (scheme.equals("bearer")) {
        if (verifierRequires) {
          return "DPoP is required and the token came as a bearer token";
        }
        return boundTo != null ? "a DPoP-bound token came as a bearer token (section 7.2)" : null;
      }
      if (boundTo == null) {
        return "a token bound to no key came with the DPoP scheme";
      }
      if (headerValues.size() != 1) {
        return headerValues.size() + " DPoP header values (section 4.3 check 1)";
      }
      if (!headerValues.get(0).equals(proof)) {
        return "the DPoP header is not the proof the harness made for this request";
      }
      if (proof.length() > DpopProofCheck.MAX_PROOF_CHARS) {
        return "the proof is longer than the documented limit";
      }
      if (!signMode.equals("holder") && !signMode.equals("other")) {
        return "the signature is not one the proof's key made (" + signMode + ")";
      }
      Map<String, Object> header;
      Map<String, Object> claims;
      try {
        header = JSONObjectUtils.parse(headerJson);
        claims = JSONObjectUtils.parse(claimsJson);
      } catch (java.text.ParseException | RuntimeException e) {
        return "the header or claims are not a JSON object (Nimbus's parser)";
      }
      Object typ = header.get("typ");
      if (!(typ instanceof String) || !(((String) typ).equalsIgnoreCase("dpop+jwt")
          || ((String) typ).equalsIgnoreCase("application/dpop+jwt"))) {
        return "typ is not dpop+jwt (check 4)";
      }
      Object alg = header.get("alg");
      if (!signedAlg.equals(alg) || !ALLOWED_ALGS.contains(alg)) {
        return "alg " + alg + " is not the " + signedAlg + " the proof was signed with, or not allowed (check 5)";
      }
      if (header.containsKey("crit")) {
        return "crit names extensions nobody understands (RFC 7515 section 4.1.11)";
      }
      if (!(header.get("jwk") instanceof Map)) {
        return "no jwk object";
      }
      Map<?, ?> jwk = (Map<?, ?>) header.get("jwk");
      for (String member : PRIVATE_MEMBERS) {
        if (jwk.containsKey(member)) {
          return "the jwk has the private member " + member + " (check 7)";
        }
      }
      for (Map.Entry<String, Object> required : signer.publicMembers.entrySet()) {
        if (!required.getValue().equals(jwk.get(required.getKey()))) {
          return "the jwk is not the key that signed (its " + required.getKey() + " differs; check 6)";
        }
      }
      if (!signer.thumbprint.equals(boundTo)) {
        return "the token is bound to another key than the proof's (check 12)";
      }
      Object jtiValue = claims.get("jti");
      if (!(jtiValue instanceof String) || ((String) jtiValue).isEmpty()
          || ((String) jtiValue).length() > DpopProofCheck.MAX_JTI_CHARS) {
        return "jti missing, empty or too long (check 3)";
      }
      if (h.used.contains(signer.thumbprint + "." + jtiValue)) {
        return "the jti was accepted before (a replay, section 11.1)";
      }
      if (!method.equals(claims.get("htm"))) {
        return "htm is not the method (check 8)";
      }
      Object htu = claims.get("htu");
      String htuForm = htu instanceof String ? ReferenceUri.comparable((String) htu) : null;
      if (htuForm == null || !htuForm.equals(ReferenceUri.comparable(uri))) {
        return "htu is not the request URI (check 9)";
      }
      Object iat = claims.get("iat");
      if (!(iat instanceof Number)) {
        return "iat missing or not a number (check 3)";
      }
      double iatS = ((Number) iat).doubleValue();
      if (!(iatS >= NOW_S - MAX_AGE_S - 1 && iatS <= NOW_S + FUTURE_SKEW_S + 1)) {
        return "iat outside the window (check 11)";
      }
      if (claims.containsKey("exp")) {
        Object exp = claims.get("exp");
        if (!(exp instanceof Number) || !(((Number) exp).doubleValue() + FUTURE_SKEW_S + 1 > NOW_S)) {
          return "exp passed or not a number";
        }
      }
      if (!ath(token).equals(claims.get("ath"))) {
        return "ath is not the hash of the token (check 12)";
      }
      if (!h.nonces.current().equals(claims.get("nonce"))) {
        return "nonce is not the current one (check 10)";
      }
      parsedJti = (String) jtiValue;
      return null;
    }
  }

  /**
   * The model's own comparison form of an http(s) URI, written apart from {@link TargetUri}: RFC
   * 3986 Appendix B's regular expression splits it, then section 6.2.2 (case of scheme and host,
   * percent-encoding in upper case, unreserved characters decoded, dot segments removed) and
   * section 6.2.3 (default port, empty path) normalise it. Query and fragment are dropped (RFC 9449
   * section 4.3 check 9). Null for anything that is not an absolute http(s) URI with a host made of
   * RFC 3986 characters.
   */
  static final class ReferenceUri {
    private static final Pattern APPENDIX_B = Pattern.compile("^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\\?([^#]*))?(#(.*))?");
    private static final String UNRESERVED_PUNCTUATION = "-._~";
    private static final String SUB_DELIMS = "!$&'()*+,;=";

    static String comparable(String uri) {
      Matcher m = APPENDIX_B.matcher(uri);
      if (!m.matches() || m.group(2) == null || m.group(4) == null) {
        return null;
      }
      String scheme = m.group(2).toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        return null;
      }
      String authority = m.group(4);
      String userinfo = "";
      int at = authority.lastIndexOf('@');
      if (at >= 0) {
        userinfo = percent(authority.substring(0, at), ":");
        if (userinfo == null) {
          return null;
        }
        userinfo += "@";
        authority = authority.substring(at + 1);
      }
      String host;
      String port;
      if (authority.startsWith("[")) {
        int close = authority.indexOf(']');
        if (close < 2) {
          return null;
        }
        host = authority.substring(0, close + 1).toLowerCase(Locale.ROOT);
        for (char c : host.substring(1, host.length() - 1).toCharArray()) {
          if (!unreserved(c) && SUB_DELIMS.indexOf(c) < 0 && c != ':') {
            return null;
          }
        }
        String rest = authority.substring(close + 1);
        if (!rest.isEmpty() && rest.charAt(0) != ':') {
          return null;
        }
        port = rest.isEmpty() ? "" : rest.substring(1);
      } else {
        int colon = authority.lastIndexOf(':');
        port = colon < 0 ? "" : authority.substring(colon + 1);
        host = percent(colon < 0 ? authority : authority.substring(0, colon), "");
        if (host == null) {
          return null;
        }
        host = host.toLowerCase(Locale.ROOT);
      }
      if (host.isEmpty()) {
        return null;
      }
      for (char c : port.toCharArray()) {
        if (c < '0' || c > '9') {
          return null;
        }
      }
      String portForm = "";
      if (!port.isEmpty()) {
        BigInteger value = new BigInteger(port);
        if (value.compareTo(BigInteger.valueOf(65535)) > 0) {
          return null;
        }
        int p = value.intValue();
        portForm = (scheme.equals("http") && p == 80) || (scheme.equals("https") && p == 443) ? "" : ":" + p;
      }
      String path = percent(m.group(5), ":@/");
      if (path == null) {
        return null;
      }
      path = removeDotSegments(path);
      return scheme + "://" + userinfo + host + portForm + (path.isEmpty() ? "/" : path);
    }

    private static boolean unreserved(char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || UNRESERVED_PUNCTUATION.indexOf(c) >= 0;
    }

    /** Percent-encodings in upper case, unreserved ones decoded; null for a character outside unreserved, sub-delims and {@code extra}. */
    private static String percent(String s, String extra) {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '%') {
          if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0 || Character.digit(s.charAt(i + 2), 16) < 0
              || s.charAt(i + 1) > 'f' || s.charAt(i + 2) > 'f') {
            return null;
          }
          char decoded = (char) Integer.parseInt(s.substring(i + 1, i + 3), 16);
          if (unreserved(decoded)) {
            out.append(decoded);
          } else {
            out.append('%').append(s.substring(i + 1, i + 3).toUpperCase(Locale.ROOT));
          }
          i += 2;
        } else if (unreserved(c) || SUB_DELIMS.indexOf(c) >= 0 || extra.indexOf(c) >= 0) {
          out.append(c);
        } else {
          return null;
        }
      }
      return out.toString();
    }

    /** RFC 3986 section 5.2.4, step by step. */
    static String removeDotSegments(String input) {
      StringBuilder out = new StringBuilder();
      String in = input;
      while (!in.isEmpty()) {
        if (in.startsWith("../")) {
          in = in.substring(3);
        } else if (in.startsWith("./")) {
          in = in.substring(2);
        } else if (in.startsWith("/./")) {
          in = in.substring(2);
        } else if (in.equals("/.")) {
          in = "/";
        } else if (in.startsWith("/../")) {
          in = in.substring(3);
          dropLastSegment(out);
        } else if (in.equals("/..")) {
          in = "/";
          dropLastSegment(out);
        } else if (in.equals(".") || in.equals("..")) {
          in = "";
        } else {
          int next = in.indexOf('/', in.startsWith("/") ? 1 : 0);
          String segment = next < 0 ? in : in.substring(0, next);
          out.append(segment);
          in = in.substring(segment.length());
        }
      }
      return out.toString();
    }

    private static void dropLastSegment(StringBuilder out) {
      int slash = out.lastIndexOf("/");
      out.setLength(Math.max(slash, 0));
    }
  }

  static String ath(String token) {
    try {
      return b64(MessageDigest.getInstance("SHA-256").digest(token.getBytes(US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmac(String key, byte[] input) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getBytes(US_ASCII), "HmacSHA256"));
      return mac.doFinal(input);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String substitute(String text, Map<String, String> values) {
    if (text.indexOf('$') < 0) {
      return text;
    }
    String out = text;
    for (Map.Entry<String, String> v : values.entrySet()) {
      out = out.replace(v.getKey(), v.getValue());
    }
    return out;
  }

  static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
