package dev.tokenguard.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs one DPoP proof (RFC 9449 section 4.2) with a holder's key, the value of a request's {@code
 * DPoP} header. Starts valid for the request it was made for: {@code typ: dpop+jwt}, the holder's
 * public key as {@code jwk}, {@code alg} by the key (ES256 for P-256, RS256 for RSA, EdDSA for
 * Ed25519), a random {@code jti} (128 bits), {@code htm}, {@code htu} (the URI without query and
 * fragment) and {@code iat} now on the clock. Each method changes one thing, including every way a
 * proof is broken:
 *
 * <pre>{@code
 * TestKey holder = TestKey.ecP256();
 * String token = issuer.accessToken().dpopBound(holder).sign();
 * URI uri = URI.create("https://api.example.test/patients");
 * String proof = issuer.dpopProof(holder, "GET", uri).accessToken(token).sign();
 * verifier.verify(TokenRequest.dpop(token, proof, "GET", uri));                 // accepted
 * verifier.verify(TokenRequest.dpop(token, proof, "GET", uri));                 // refused: replayed jti
 * issuer.dpopProof(holder, "GET", uri).accessToken(token).htm("POST").sign();   // wrong htm
 * issuer.dpopProof(holder, "GET", uri).accessToken(token)
 *     .issuedAt(clock.instant().minusSeconds(120)).sign();                      // stale iat
 * issuer.dpopProof(TestKey.ecP256(), "GET", uri).accessToken(token).sign();     // wrong key (cnf.jkt)
 * }</pre>
 *
 * <p>{@link #sign()} may be called more than once: each call is a new proof with the same {@code
 * jti}, so the second is a replay. Not thread-safe.
 */
public final class DpopProofBuilder {
  private enum Mode {
    HOLDER_KEY, NONE, HS256
  }

  private final TestKey holder;
  private final Clock clock;
  private final Map<String, Object> header = new LinkedHashMap<>();
  private final Map<String, Object> claims = new LinkedHashMap<>();
  private Mode signing = Mode.HOLDER_KEY;
  private boolean tampered;

  private DpopProofBuilder(TestKey holder, Clock clock, String method, URI uri) {
    this.holder = Objects.requireNonNull(holder, "holder");
    this.clock = Objects.requireNonNull(clock, "clock");
    header.put("typ", "dpop+jwt");
    header.put("alg", holder.tokenAlgorithm());
    header.put("jwk", publicJwk(holder));
    claims.put("jti", FakeIssuer.randomId() + FakeIssuer.randomId().substring(0, 6));
    claims.put("htm", Objects.requireNonNull(method, "method"));
    claims.put("htu", withoutQueryAndFragment(Objects.requireNonNull(uri, "uri")));
    claims.put("iat", clock.instant().getEpochSecond());
  }

  /**
   * A proof signed by {@code holder} for a {@code method} request to {@code uri}, issued now on
   * {@code clock}; {@link FakeIssuer#dpopProof} uses the issuer's clock.
   *
   * @param clock the clock {@code iat} is taken from
   * @param holder the key the proof is signed with (the token's DPoP key)
   * @param method the request's HTTP method, e.g. {@code GET}
   * @param uri the request's target URI
   * @return a builder for the proof, valid by default
   * @throws NullPointerException when an argument is null
   */
  public static DpopProofBuilder of(TestKey holder, Clock clock, String method, URI uri) {
    return new DpopProofBuilder(holder, clock, method, uri);
  }

  /**
   * Binds the proof to {@code accessToken}: {@code ath} = base64url(SHA-256(ASCII(accessToken)))
   * (RFC 9449 section 4.2), required when a proof accompanies an access token.
   *
   * @param accessToken the compact access token the proof accompanies
   * @return this builder
   */
  public DpopProofBuilder accessToken(String accessToken) {
    Objects.requireNonNull(accessToken, "accessToken");
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(accessToken.getBytes(StandardCharsets.US_ASCII));
      return claim("ath", JwsSigning.encode(hash));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is unavailable", e);
    }
  }

  /**
   * Sets {@code htm} (a wrong or differently cased method).
   *
   * @param htm the {@code htm} to write
   * @return this builder
   */
  public DpopProofBuilder htm(String htm) {
    return claim("htm", htm);
  }

  /**
   * Sets {@code htu} exactly as given (a wrong URI, or another spelling of the right one).
   *
   * @param htu the {@code htu} to write
   * @return this builder
   */
  public DpopProofBuilder htu(String htu) {
    return claim("htu", htu);
  }

  /**
   * Sets {@code ath} exactly as given (the hash of another token, say).
   *
   * @param ath the {@code ath} to write
   * @return this builder
   */
  public DpopProofBuilder ath(String ath) {
    return claim("ath", ath);
  }

  /**
   * Sets {@code iat} (a stale or future proof).
   *
   * @param issuedAt the {@code iat} instant
   * @return this builder
   */
  public DpopProofBuilder issuedAt(Instant issuedAt) {
    return claim("iat", issuedAt.getEpochSecond());
  }

  /**
   * Sets {@code exp} (optional in a proof).
   *
   * @param expiresAt the {@code exp} instant
   * @return this builder
   */
  public DpopProofBuilder expiresAt(Instant expiresAt) {
    return claim("exp", expiresAt.getEpochSecond());
  }

  /**
   * Sets {@code jti} (two proofs with the same {@code jti} are a replay).
   *
   * @param jti the {@code jti} to write
   * @return this builder
   */
  public DpopProofBuilder jti(String jti) {
    return claim("jti", jti);
  }

  /**
   * Sets {@code nonce}: the one a resource server provided, or a wrong one.
   *
   * @param nonce the {@code nonce} to write
   * @return this builder
   */
  public DpopProofBuilder nonce(String nonce) {
    return claim("nonce", nonce);
  }

  /**
   * Sets any claim to any JSON value (String, Number, Boolean, List, Map, or null for JSON null).
   *
   * @param name the claim name
   * @param value its JSON value
   * @return this builder
   */
  public DpopProofBuilder claim(String name, Object value) {
    claims.put(Objects.requireNonNull(name, "name"), value);
    return this;
  }

  /**
   * Removes a claim ({@code jti}, {@code htm}, {@code htu}, {@code iat}, {@code ath}, ...).
   *
   * @param name the claim name
   * @return this builder
   */
  public DpopProofBuilder withoutClaim(String name) {
    claims.remove(name);
    return this;
  }

  /**
   * Sets the {@code typ} header ({@code null} removes it; section 4.3 check 4 requires {@code dpop+jwt}).
   *
   * @param typ the {@code typ}, or {@code null}
   * @return this builder
   */
  public DpopProofBuilder type(String typ) {
    if (typ == null) {
      header.remove("typ");
    } else {
      header.put("typ", typ);
    }
    return this;
  }

  /**
   * Sets the {@code alg} header, for example {@code PS256} with an RSA holder key (which then signs
   * PS256). With an {@code alg} the key cannot make, the proof is signed with the key's own.
   *
   * @param alg the {@code alg} to write, e.g. {@code PS256}
   * @return this builder
   */
  public DpopProofBuilder algorithm(String alg) {
    return header("alg", alg);
  }

  /**
   * Sets any header parameter to any JSON value ({@code kid}, {@code crit}, {@code x5c} ...).
   *
   * @param name the header parameter name
   * @param value its JSON value
   * @return this builder
   */
  public DpopProofBuilder header(String name, Object value) {
    header.put(Objects.requireNonNull(name, "name"), value);
    return this;
  }

  /**
   * Leaves {@code jwk} out of the header (section 4.2 requires it).
   *
   * @return this builder
   */
  public DpopProofBuilder withoutJwk() {
    header.remove("jwk");
    return this;
  }

  /**
   * Puts {@code other}'s public key in {@code jwk} while the holder still signs: the signature does not verify.
   *
   * @param other the key whose public part goes into {@code jwk}
   * @return this builder
   */
  public DpopProofBuilder jwkOf(TestKey other) {
    return header("jwk", publicJwk(other));
  }

  /**
   * Puts the holder's private key in {@code jwk}, private parts included (section 4.3 check 7 refuses it).
   *
   * @return this builder
   */
  public DpopProofBuilder withPrivateJwk() {
    return header("jwk", new LinkedHashMap<>(holder.privateJwk().toJSONObject()));
  }

  /**
   * An unsecured proof: {@code alg: none} and an empty signature.
   *
   * @return this builder
   */
  public DpopProofBuilder algNone() {
    signing = Mode.NONE;
    return header("alg", "none");
  }

  /**
   * A MAC instead of a signature: {@code alg: HS256} keyed with the holder key's thumbprint.
   *
   * @return this builder
   */
  public DpopProofBuilder hs256() {
    signing = Mode.HS256;
    return header("alg", "HS256");
  }

  /**
   * Signs correctly, then flips a bit of the signature.
   *
   * @return this builder
   */
  public DpopProofBuilder tamperedSignature() {
    tampered = true;
    return this;
  }

  /**
   * The compact serialization {@code header.payload.signature}, for the {@code DPoP} header.
   *
   * @return the signed proof, {@code header.payload.signature}
   * @throws IllegalStateException when the JOSE library cannot sign with the holder key
   */
  public String sign() {
    String signingInput = JwsSigning.encode(JSONObjectUtils.toJSONString(header)) + "."
        + JwsSigning.encode(JSONObjectUtils.toJSONString(claims));
    byte[] input = signingInput.getBytes(StandardCharsets.US_ASCII);
    try {
      switch (signing) {
        case NONE:
          return signingInput + ".";
        case HS256:
          Mac mac = Mac.getInstance("HmacSHA256");
          mac.init(new SecretKeySpec(holder.thumbprint().getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
          return signingInput + "." + JwsSigning.encode(mac.doFinal(input));
        default:
          byte[] signature = JwsSigning.sign(holder.privateJwk(), header.get("alg"), input);
          if (tampered) {
            signature = Arrays.copyOf(signature, signature.length);
            signature[signature.length / 2] ^= 0x01;
          }
          return signingInput + "." + JwsSigning.encode(signature);
      }
    } catch (JOSEException | GeneralSecurityException e) {
      throw new IllegalStateException("signing failed", e);
    }
  }

  /** The key's public JWK as a proof carries it: key material only, no {@code kid}, {@code use} or {@code alg}. */
  private static Map<String, Object> publicJwk(TestKey key) {
    JWK jwk = key.privateJwk().toPublicJWK();
    Map<String, Object> json = new LinkedHashMap<>(jwk.toJSONObject());
    json.remove("kid");
    json.remove("use");
    json.remove("alg");
    json.remove("key_ops");
    if (jwk instanceof OctetKeyPair) {
      json.remove("d");
    }
    return json;
  }

  private static String withoutQueryAndFragment(URI uri) {
    String s = uri.toString();
    int cut = s.length();
    int q = s.indexOf('?');
    if (q >= 0) {
      cut = q;
    }
    int h = s.indexOf('#');
    if (h >= 0 && h < cut) {
      cut = h;
    }
    return s.substring(0, cut);
  }
}
