package dev.tokenguard.benchmarks;

import com.auth0.jwk.Jwk;
import com.auth0.jwk.JwkException;
import com.auth0.jwk.JwkProvider;
import com.auth0.jwk.SigningKeyNotFoundException;
import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.interfaces.RSAKeyProvider;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.jose4j.lang.JoseException;
import org.springframework.security.oauth2.jwt.JwtAudienceValidator;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * The libraries a user would pick instead of TokenGuard, each configured the way its documentation
 * shows, from a fixed JWKS (no HTTP), to check the same things: an RS256 signature by a key of the
 * set, {@code iss}, {@code aud}, {@code exp} (present and not past) and a required scope in the
 * space-delimited {@code scope} claim.
 */
final class Peers {
  private Peers() {}

  /** One configured verifier; throws on a token it refuses, returns something derived from the claims. */
  interface Verifier {
    Object verify(String token) throws Exception;
  }

  /** Rejected by the scope check that each peer lacks and the caller adds. */
  static final class MissingScopeException extends Exception {
    private static final long serialVersionUID = 1L;

    MissingScopeException() {
      super("missing scope", null, false, false);
    }
  }

  static boolean hasScope(Object scopeClaim, String required) {
    if (!(scopeClaim instanceof String)) {
      return false;
    }
    for (String scope : ((String) scopeClaim).split(" ")) {
      if (scope.equals(required)) {
        return true;
      }
    }
    return false;
  }

  /** Nimbus {@code DefaultJWTProcessor}: RS256 key selector over the JWKS, claims verifier for iss, aud and exp. */
  static Verifier nimbus(String jwks, String issuer, String audience, String scope) throws ParseException {
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, new ImmutableJWKSet<>(JWKSet.parse(jwks))));
    processor.setJWTClaimsSetVerifier(
        new DefaultJWTClaimsVerifier<>(audience, new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("exp")));
    return token -> {
      JWTClaimsSet claims = processor.process(token, null);
      if (!hasScope(claims.getClaim("scope"), scope)) {
        throw new MissingScopeException();
      }
      return claims;
    };
  }

  /**
   * Spring Security {@code NimbusJwtDecoder} over the JWKS, with {@code JwtValidators} defaults
   * (timestamps, typ) plus issuer, audience, a required {@code exp} and the scope.
   */
  static Verifier spring(String jwks, String issuer, String audience, String scope) throws ParseException {
    NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSource(new ImmutableJWKSet<>(JWKSet.parse(jwks))).build();
    decoder.setJwtValidator(
        JwtValidators.createDefaultWithValidators(List.of(
            new JwtIssuerValidator(issuer),
            new JwtAudienceValidator(audience),
            new JwtClaimValidator<Instant>("exp", Objects::nonNull),
            new JwtClaimValidator<Object>("scope", value -> hasScope(value, scope)))));
    return decoder::decode;
  }

  /**
   * auth0 java-jwt with a jwks-rsa {@link JwkProvider} holding the JWKS (the documented
   * {@code RSAKeyProvider} that asks the provider for the key by {@code kid}).
   */
  static Verifier auth0(String jwks, String issuer, String audience, String scope) throws ParseException {
    Map<String, Jwk> byKid = new HashMap<>();
    for (Object key : (List<?>) JSONObjectUtils.parse(jwks).get("keys")) {
      @SuppressWarnings("unchecked")
      Jwk jwk = Jwk.fromValues((Map<String, Object>) key);
      byKid.put(jwk.getId(), jwk);
    }
    JwkProvider provider = kid -> {
      Jwk jwk = byKid.get(kid);
      if (jwk == null) {
        throw new SigningKeyNotFoundException("no key " + kid, null);
      }
      return jwk;
    };
    RSAKeyProvider keys = new RSAKeyProvider() {
      @Override
      public RSAPublicKey getPublicKeyById(String kid) {
        try {
          return (RSAPublicKey) provider.get(kid).getPublicKey();
        } catch (JwkException e) {
          throw new IllegalStateException(e.getMessage());
        }
      }

      @Override
      public java.security.interfaces.RSAPrivateKey getPrivateKey() {
        return null;
      }

      @Override
      public String getPrivateKeyId() {
        return null;
      }
    };
    JWTVerifier verifier =
        JWT.require(com.auth0.jwt.algorithms.Algorithm.RSA256(keys))
            .withIssuer(issuer)
            .withAudience(audience)
            .withClaimPresence("exp")
            .withClaim("scope", (claim, jwt) -> hasScope(claim.asString(), scope))
            .build();
    return verifier::verify;
  }

  /** jose4j {@code JwtConsumer}: RS256 only, keys from the JWKS, issuer, audience, required exp. */
  static Verifier jose4j(String jwks, String issuer, String audience, String scope) throws JoseException {
    JwtConsumer consumer =
        new JwtConsumerBuilder()
            .setRequireExpirationTime()
            .setAllowedClockSkewInSeconds(60)
            .setExpectedIssuer(issuer)
            .setExpectedAudience(audience)
            .setVerificationKeyResolver(new JwksVerificationKeyResolver(new JsonWebKeySet(jwks).getJsonWebKeys()))
            .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.RSA_USING_SHA256)
            .build();
    return token -> {
      JwtClaims claims = consumer.processToClaims(token);
      if (!hasScope(claims.getClaimValue("scope"), scope)) {
        throw new MissingScopeException();
      }
      return claims;
    };
  }
}
