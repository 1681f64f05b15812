package dev.tokenguard;

import static dev.tokenguard.TokenVerificationException.Reason.BINDING_MISMATCH;
import static dev.tokenguard.TokenVerificationException.Reason.INVALID_DPOP_PROOF;

import com.nimbusds.jose.jwk.JWK;
import dev.tokenguard.dpop.DpopNonces;
import dev.tokenguard.dpop.ReplayStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/**
 * Checks the DPoP proof of one request (RFC 9449 section 4.3, with the proof's shape from section
 * 4.2 and the binding of section 7.1), cheapest check first:
 *
 * <ol>
 *   <li>a proof came (section 7.1), of at most {@link #MAX_PROOF_CHARS} characters, before any
 *       parsing;
 *   <li>a single well-formed compact JWS (check 2) whose header passes {@link
 *       CompactJws.HeaderPolicy#DPOP_PROOF}: {@code typ} {@code dpop+jwt} (check 4), an {@code alg}
 *       of the policy's allow-list, never {@code none} or an HMAC (check 5), a {@code jwk} object;
 *   <li>the claims of section 4.2 (check 3): {@code jti} (at most {@link #MAX_JTI_CHARS}
 *       characters, section 11.1), {@code htm}, {@code htu}, {@code iat}, and {@code ath} (required
 *       with an access token, sections 4.2 and 7);
 *   <li>{@code htm} equals the method, case-sensitively (check 8);
 *   <li>{@code htu} equals the target URI, both without query and fragment, after RFC 3986
 *       normalisation ({@link TargetUri}; check 9);
 *   <li>{@code iat} within the window, and {@code exp}, when present, not passed (check 11, section
 *       11.1);
 *   <li>{@code ath} equals base64url(SHA-256(ASCII(access token))), compared in constant time (check
 *       12);
 *   <li>the {@code jwk}: public (check 7), acceptable to the key policy ({@link VerificationKey}:
 *       RSA of at least 2048 bits, P-256/384/521, Ed25519) and able to make the {@code alg}'s
 *       signatures; its RFC 7638 thumbprint equals the token's {@code cnf.jkt} (check 12, section
 *       6; a mismatch is BINDING_MISMATCH, the {@code invalid_token} of section 7.1 Figure 16);
 *   <li>the nonce, when nonces are on (check 10, section 9): USE_DPOP_NONCE with a fresh nonce;
 *   <li>the signature with that {@code jwk} (check 6), the one costly step.
 * </ol>
 *
 * The replay check (check 1's "not more than one header" is the HTTP layer's) is not here: {@link
 * #check} returns the {@link Replay} to record, and the verifier records it after every other
 * check of the request passed, so a forged or wrong proof costs no store write. Every refusal but
 * those two is INVALID_DPOP_PROOF; details name the failed check and never contain the proof.
 * Immutable and thread-safe.
 */
final class DpopProofCheck {
  /** Longest proof accepted, in characters, checked before parsing (an RSA-4096 proof is about 2,000). */
  static final int MAX_PROOF_CHARS = 8192;
  /** Longest {@code jti} accepted (a UUID has 36 characters, 96 random bits in base64url 16). */
  static final int MAX_JTI_CHARS = 256;

  /** What the replay store must record for an accepted proof: its key and until when. */
  static final class Replay {
    final String key;
    final Instant until;

    Replay(String key, Instant until) {
      this.key = key;
      this.until = until;
    }
  }

  /** Why a replayed proof is refused, whether the store's hint or its write found it. */
  static final String REPLAYED = "the DPoP proof was used before: its jti was seen within the proof window (RFC 9449 section 11.1)";

  private final Set<Algorithm> algorithms;
  private final long maxAgeMillis;
  private final long futureSkewMillis;
  /** Null when nonces are off. */
  private final DpopNonces nonces;
  private final Provider provider;
  private final Clock clock;
  /** Asked whether a proof is a known replay before its signature is checked. */
  private final ReplayStore replays;

  DpopProofCheck(DpopPolicy policy, ReplayStore replays, Provider provider, Clock clock) {
    this.replays = replays;
    this.algorithms = policy.algorithms();
    this.maxAgeMillis = policy.maxProofAge().toMillis();
    this.futureSkewMillis = policy.maxFutureSkew().toMillis();
    this.nonces = policy.nonces().orElse(null);
    this.provider = provider;
    this.clock = clock;
  }

  /**
   * Checks the proof of {@code request} for its access token, bound to the key with thumbprint
   * {@code jkt}, and returns what the replay store must record. The steps run in the order of the
   * class comment, cheapest first, the replay hint and the signature last; keep that order here.
   *
   * @throws TokenVerificationException INVALID_DPOP_PROOF, BINDING_MISMATCH or USE_DPOP_NONCE
   */
  Replay check(TokenRequest request, String jkt) {
    CompactJws jws = parseProof(request); // section 7.1, size, checks 2, 4, 5
    Map<String, Object> claims = jws.claims(); // check 3: the claims of section 4.2
    String jti = jti(claims);
    String htm = requiredString(claims, "htm");
    String htu = requiredString(claims, "htu");
    long iatMillis = requiredDate(claims, "iat") * 1000;
    String ath = requiredString(claims, "ath");
    checkRequestMatch(htm, htu, request); // checks 8, 9
    checkFreshness(iatMillis, claims); // check 11
    checkAccessTokenHash(ath, request); // check 12, the token
    VerificationKey key = boundKey(jws, jkt); // checks 7 and 12, the key
    checkNonce(claims); // check 10
    String replayKey = replayKey(key.thumbprint, jti);
    if (knownReplay(replayKey)) {
      throw invalid(REPLAYED); // refused before the signature check it would otherwise cost
    }
    jws.verifySignature(key); // check 6, the one costly step
    return new Replay(replayKey, Instant.ofEpochMilli(iatMillis + maxAgeMillis + 1));
  }

  /** The request's proof, present and not too long, parsed as a compact JWS whose header passes the DPoP policy (checks 2, 4, 5). */
  private CompactJws parseProof(TokenRequest request) {
    String proof = request.dpopProof().orElse(null);
    if (proof == null) {
      throw invalid("no DPoP proof came with the DPoP scheme (RFC 9449 section 7.1 requires the DPoP header)");
    }
    if (proof.length() > MAX_PROOF_CHARS) {
      throw invalid("the DPoP proof has " + proof.length() + " characters, more than the limit of " + MAX_PROOF_CHARS);
    }
    return CompactJws.parse(proof, algorithms, null, CompactJws.HeaderPolicy.DPOP_PROOF);
  }

  /** The proof's {@code jti}: present, a string, not empty and at most {@link #MAX_JTI_CHARS} characters (section 11.1). */
  private static String jti(Map<String, Object> claims) {
    String jti = requiredString(claims, "jti");
    if (jti.isEmpty() || jti.length() > MAX_JTI_CHARS) {
      throw invalid("the DPoP proof's jti is empty or longer than " + MAX_JTI_CHARS + " characters (RFC 9449 section 11.1)");
    }
    return jti;
  }

  /** The proof's {@code htm} is the request method and its {@code htu} the request URI (checks 8 and 9). */
  private static void checkRequestMatch(String htm, String htu, TokenRequest request) {
    String method = request.method().orElseThrow();
    if (!htm.equals(method)) {
      throw invalid("the DPoP proof's htm " + Detail.quote(htm) + " is not the request method " + Detail.quote(method)
          + " (compared case-sensitively, RFC 9449 section 4.3 check 8)");
    }
    String normalizedHtu = TargetUri.normalize(htu);
    if (normalizedHtu == null || !normalizedHtu.equals(request.normalizedUri)) {
      throw invalid("the DPoP proof's htu " + Detail.quote(htu) + (normalizedHtu == null ? " is not an absolute http(s) URI"
          : " is not the request URI " + Detail.quote(request.normalizedUri)) + " (RFC 9449 section 4.3 check 9)");
    }
  }

  /** The proof's {@code iat} lies within the window and its {@code exp}, when present, has not passed (check 11). */
  private void checkFreshness(long iatMillis, Map<String, Object> claims) {
    long now = clock.millis();
    if (iatMillis - now > futureSkewMillis) {
      throw invalid("the DPoP proof's iat is " + (iatMillis - now) / 1000 + " s in the future, more than the "
          + futureSkewMillis / 1000 + " s allowed (RFC 9449 section 11.1)");
    }
    if (now - iatMillis > maxAgeMillis) {
      throw invalid("the DPoP proof's iat is " + (now - iatMillis) / 1000 + " s old, older than the proof window of "
          + maxAgeMillis / 1000 + " s (RFC 9449 section 11.1)");
    }
    Long exp = optionalDate(claims, "exp");
    if (exp != null && now >= exp * 1000 + futureSkewMillis) {
      throw invalid("the DPoP proof expired at " + Instant.ofEpochSecond(exp) + " (exp)");
    }
  }

  /** The proof's {@code ath} is the hash of the access token presented, compared in constant time (check 12). */
  private static void checkAccessTokenHash(String ath, TokenRequest request) {
    if (!constantTimeEquals(ath, accessTokenHash(request.accessToken()))) {
      throw invalid("the DPoP proof's ath is not the hash of the access token presented (RFC 9449 section 4.3 check 12)");
    }
  }

  /** The proof's {@code jwk} (check 7), whose thumbprint must be the token's {@code cnf.jkt} (check 12, section 6). */
  private VerificationKey boundKey(CompactJws jws, String jkt) {
    VerificationKey key = proofKey(jws);
    if (!constantTimeEquals(key.thumbprint, jkt)) {
      throw new TokenVerificationException(BINDING_MISMATCH, "the DPoP proof is signed with another key than the one the"
          + " token is bound to: its jwk's thumbprint is not the token's cnf.jkt (RFC 9449 section 4.3 check 12, section 6)");
    }
    return key;
  }

  /** When nonces are on, the proof carries one this resource server provided recently (check 10, section 9). */
  private void checkNonce(Map<String, Object> claims) {
    if (nonces == null) {
      return;
    }
    Object nonce = claims.get("nonce");
    if (!(nonce instanceof String) || !nonces.accepts((String) nonce)) {
      throw TokenVerificationException.useDpopNonce(nonces.current(), nonce == null
          ? "the DPoP proof has no nonce and this resource server requires one (RFC 9449 section 9)"
          : "the DPoP proof's nonce is not one this resource server provided recently (RFC 9449 section 4.3 check 10)");
    }
  }

  /** The store's hint ({@link ReplayStore#knownUsed}); a store that breaks its promise not to throw gives no hint. */
  private boolean knownReplay(String replayKey) {
    try {
      return replays.knownUsed(replayKey);
    } catch (RuntimeException e) {
      return false; // firstUse, after the signature check, still decides and fails closed
    }
  }

  /** The proof's {@code jwk} as a key the key policy accepts for the proof's {@code alg}. */
  private VerificationKey proofKey(CompactJws jws) {
    JWK jwk;
    try {
      jwk = JWK.parse(jws.jwk());
    } catch (ParseException | RuntimeException e) {
      throw invalid("the DPoP proof's jwk is not a valid JWK (RFC 9449 section 4.2)");
    }
    if (jwk.isPrivate()) {
      throw invalid("the DPoP proof's jwk contains private key parts (RFC 9449 section 4.3 check 7)");
    }
    VerificationKey key;
    try {
      key = VerificationKey.accept(jwk, provider);
    } catch (VerificationKey.KeyRefusedException e) {
      throw invalid("the DPoP proof's jwk is refused: " + e.getMessage());
    }
    if (!key.allows(jws.algorithm)) {
      throw invalid("the DPoP proof's jwk (kty " + key.keyType + ") cannot verify " + jws.algorithm + " signatures");
    }
    return key;
  }

  /**
   * The replay store's key for a proof: base64url(SHA-256(thumbprint "." jti)), 43 characters. The
   * {@code jti} is scoped to the proof's key: a client can only collide with its own proofs (RFC
   * 9449 section 4.2 asks each client for unique {@code jti}s, not for uniqueness across clients),
   * so no client can use up, or guess its way into, another's {@code jti}s; and the store keeps a
   * fixed-size hash, never client data (section 11.1).
   */
  static String replayKey(String thumbprint, String jti) {
    return base64url(sha256((thumbprint + "." + jti).getBytes(StandardCharsets.UTF_8)));
  }

  /** base64url(SHA-256(ASCII(token))): the {@code ath} of RFC 9449 section 4.2. */
  static String accessTokenHash(String accessToken) {
    return base64url(sha256(accessToken.getBytes(StandardCharsets.US_ASCII)));
  }

  static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] sha256(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(input);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is unavailable", e); // every JDK has it
    }
  }

  static String base64url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String requiredString(Map<String, Object> claims, String name) {
    Object value = claims.get(name);
    if (value == null) {
      throw invalid("the DPoP proof lacks the claim " + name + " (RFC 9449 sections 4.2 and 4.3 check 3)");
    }
    if (!(value instanceof String)) {
      throw invalid("the DPoP proof's " + name + " is not a string");
    }
    return (String) value;
  }

  private static long requiredDate(Map<String, Object> claims, String name) {
    Long value = optionalDate(claims, name);
    if (value == null) {
      throw invalid("the DPoP proof lacks the claim " + name + " (RFC 9449 sections 4.2 and 4.3 check 3)");
    }
    return value;
  }

  private static Long optionalDate(Map<String, Object> claims, String name) {
    try {
      return ClaimsPolicy.numericDate(claims, name);
    } catch (TokenVerificationException e) {
      throw invalid("the DPoP proof's " + name + " is not a NumericDate");
    }
  }

  private static TokenVerificationException invalid(String detail) {
    return new TokenVerificationException(INVALID_DPOP_PROOF, detail);
  }
}
