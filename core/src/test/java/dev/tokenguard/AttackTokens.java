package dev.tokenguard;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Hand-assembled tokens for attack and resource-bound tests: header and payload are raw bytes
 * (so duplicates, odd number forms, invalid UTF-8 and broken JSON can be expressed) signed with
 * a trusted RS256 key at run time. Immutable and thread-safe.
 */
final class AttackTokens {
  static final String ISSUER = "https://tenant.example.test/";
  static final String AUDIENCE = "https://api.example.test";
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  static final long NOW_S = NOW.getEpochSecond();
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final String KID = "trusted-1";
  /** The usual header: RS256 with the trusted key's kid. */
  static final String HEADER = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + KID + "\"}";

  final RSAKey key;

  private AttackTokens(RSAKey key) {
    this.key = key;
  }

  static AttackTokens create() {
    return new AttackTokens(rsa(2048, KID));
  }

  static RSAKey rsa(int bits, String kid) {
    try {
      return new RSAKeyGenerator(bits, true).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A JWKS publishing the trusted key. */
  String jwks() {
    return "{\"keys\":[" + key.toPublicJWK().toJSONString() + "]}";
  }

  /** A verifier trusting only {@link #key}, on the fixed clock. */
  AccessTokenVerifier.Builder verifierBuilder() {
    return AccessTokenVerifier.builder().issuer(ISSUER).audience(AUDIENCE).jwks(jwks()).clock(CLOCK);
  }

  /**
   * A payload: the valid claims ({@code iss}, {@code sub}, {@code aud}, {@code iat}, {@code exp},
   * {@code scope}) with overrides given as name / raw JSON value pairs; a null value removes the
   * claim, a new name is appended.
   */
  static String payload(String... nameAndRawValue) {
    Map<String, String> members = new LinkedHashMap<>();
    members.put("iss", quote(ISSUER));
    members.put("sub", quote("user-1"));
    members.put("aud", quote(AUDIENCE));
    members.put("iat", Long.toString(NOW_S));
    members.put("exp", Long.toString(NOW_S + 3600));
    members.put("scope", quote("read write"));
    for (int i = 0; i < nameAndRawValue.length; i += 2) {
      if (nameAndRawValue[i + 1] == null) {
        members.remove(nameAndRawValue[i]);
      } else {
        members.put(nameAndRawValue[i], nameAndRawValue[i + 1]);
      }
    }
    StringBuilder json = new StringBuilder("{");
    for (Map.Entry<String, String> e : members.entrySet()) {
      if (json.length() > 1) {
        json.append(',');
      }
      json.append(quote(e.getKey())).append(':').append(e.getValue());
    }
    return json.append('}').toString();
  }

  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** header.payload signed RS256 with the trusted key. */
  String sign(String header, String payload) {
    return sign(header.getBytes(UTF_8), payload.getBytes(UTF_8));
  }

  String sign(byte[] header, byte[] payload) {
    return sign(key, header, payload);
  }

  /**
   * header.payload signed RS256 with {@code signer}, whatever the header says. Plain JCA, so keys
   * Nimbus refuses to sign with (under 2048 bits) work too.
   */
  static String sign(RSAKey signer, byte[] header, byte[] payload) {
    try {
      return sign(signer.toRSAPrivateKey(), header, payload);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** header.payload signed SHA256withRSA with {@code signer}. */
  static String sign(PrivateKey signer, byte[] header, byte[] payload) {
    String signingInput = b64(header) + "." + b64(payload);
    try {
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initSign(signer);
      rsa.update(signingInput.getBytes(UTF_8));
      return signingInput + "." + b64(rsa.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** header.payload with an HMAC-SHA256 signature keyed with {@code secret}. */
  static String hs256(String header, String payload, byte[] secret) {
    String signingInput = b64(header.getBytes(UTF_8)) + "." + b64(payload.getBytes(UTF_8));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return signingInput + "." + b64(mac.doFinal(signingInput.getBytes(UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String b64(String s) {
    return b64(s.getBytes(UTF_8));
  }

  static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Verifies {@code token}, fails if it is accepted, and returns the rejection. */
  static TokenVerificationException rejection(AccessTokenVerifier verifier, String token, String... scopes) {
    TokenVerificationException e = catchThrowableOfType(TokenVerificationException.class, () -> verifier.verify(token, scopes));
    assertThat(e).as("the token must be rejected").isNotNull();
    assertThat(e.getMessage()).as("a rejection never echoes the token").doesNotContain(token);
    return e;
  }

  /** The reason {@code token} is rejected for. */
  static TokenVerificationException.Reason reasonFor(AccessTokenVerifier verifier, String token, String... scopes) {
    return rejection(verifier, token, scopes).reason();
  }
}
