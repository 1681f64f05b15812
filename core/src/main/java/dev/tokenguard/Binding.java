package dev.tokenguard;

import static dev.tokenguard.TokenVerificationException.Reason.BINDING_MISMATCH;
import static dev.tokenguard.TokenVerificationException.Reason.DPOP_REQUIRED;

import dev.tokenguard.dpop.ReplayStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * How a verified token may be presented: the stage that runs on every request after the token
 * itself is verified (also when it comes from the verified-token cache, whose key is the token
 * string), because what proves possession (a DPoP proof, a TLS client certificate) is per request.
 *
 * <ul>
 *   <li>{@code cnf} must be a JSON object whose members are confirmation methods this stage checks:
 *       {@code jkt} (RFC 9449 section 6.1) and {@code x5t#S256} (RFC 8705 section 3.1), strings. A
 *       binding it cannot check is refused rather than ignored.
 *   <li>Bearer scheme: refused when DPoP is required (the policy's or the request's {@link
 *       Requirement#withDpop()}: DPOP_REQUIRED) and for a DPoP-bound token (RFC 9449 section 7.2:
 *       a resource supporting both schemes MUST reject a DPoP-bound token received as a bearer
 *       token).
 *   <li>DPoP scheme: refused when DPoP is disabled, and for a token that is not DPoP-bound. RFC
 *       9449 section 7.1 defines the scheme for DPoP-bound tokens ("A DPoP-bound access token is
 *       sent using the Authorization request header field ... with an authentication scheme of
 *       DPoP"), and section 4.3 check 12 requires confirming "that the public key to which the
 *       access token is bound matches the public key from the DPoP proof": a token bound to no key
 *       cannot pass it, and section 7.1 says "The resource server MUST NOT grant access to the
 *       resource unless all checks are successful". Otherwise the proof is checked ({@link
 *       DpopProofCheck}).
 *   <li>Either scheme: a certificate-bound token needs the request's client certificate, whose
 *       SHA-256 thumbprint must equal {@code cnf["x5t#S256"]} (RFC 8705 section 3: otherwise 401
 *       {@code invalid_token}); a token bound both ways needs both.
 * </ul>
 *
 * Immutable and thread-safe.
 */
final class Binding {
  static final String JKT = "jkt";
  static final String X5T_S256 = "x5t#S256";

  private final DpopPolicy policy;
  /** Null when DPoP is disabled. */
  private final DpopProofCheck proofs;

  /** {@code replays}: where used proofs are remembered (null when DPoP is disabled). */
  Binding(DpopPolicy policy, ReplayStore replays, Provider provider, Clock clock) {
    this.policy = policy;
    this.proofs = policy.isEnabled() ? new DpopProofCheck(policy, replays, provider, clock) : null;
  }

  /**
   * Refuses {@code token} unless {@code request} presents it in a way its binding allows, and
   * returns the DPoP proof the replay store must record once every other check passed (null when
   * no proof was checked).
   *
   * @throws TokenVerificationException BINDING_MISMATCH, DPOP_REQUIRED, or a proof's refusal
   *     (INVALID_DPOP_PROOF, USE_DPOP_NONCE)
   */
  DpopProofCheck.Replay check(AccessToken token, TokenRequest request) {
    Map<String, String> cnf = confirmations(token.claims());
    String jkt = cnf.get(JKT);
    String x5t = cnf.get(X5T_S256);
    if (request.scheme() == TokenRequest.Scheme.BEARER) {
      checkBearerScheme(jkt, request);
      checkCertificate(x5t, request);
      return null;
    }
    checkDpopScheme(jkt);
    checkCertificate(x5t, request);
    return proofs.check(request, jkt);
  }

  /**
   * The token's confirmation methods by name ({@code jkt}, {@code x5t#S256}); empty without a
   * {@code cnf} claim. Refuses a {@code cnf} that is not an object, is empty, or holds a member
   * this stage cannot check or that is not a non-empty string.
   */
  private static Map<String, String> confirmations(Map<String, Object> claims) {
    if (!claims.containsKey("cnf")) {
      return Map.of();
    }
    Object cnf = claims.get("cnf");
    if (!(cnf instanceof Map)) {
      throw mismatch("the token's cnf is not a JSON object, so its binding cannot be checked");
    }
    Map<String, String> methods = new HashMap<>();
    for (Map.Entry<?, ?> member : ((Map<?, ?>) cnf).entrySet()) {
      Object name = member.getKey();
      Object value = member.getValue();
      if (!JKT.equals(name) && !X5T_S256.equals(name)) {
        throw mismatch("the token's cnf has the member " + Detail.quote(name) + ", a confirmation method this verifier"
            + " cannot check (it checks jkt, RFC 9449 section 6.1, and x5t#S256, RFC 8705 section 3.1)");
      }
      if (!(value instanceof String) || ((String) value).isEmpty()) {
        throw mismatch("the token's cnf." + name + " is not a non-empty string");
      }
      methods.put((String) name, (String) value);
    }
    if (methods.isEmpty()) {
      throw mismatch("the token's cnf is empty: it names no key or certificate to check");
    }
    return methods;
  }

  /** The Bearer scheme: refused where DPoP is required, and for a DPoP-bound token (RFC 9449 section 7.2). */
  private void checkBearerScheme(String jkt, TokenRequest request) {
    boolean dpopRequired = policy.isRequired() || request.requirement().dpopRequired();
    if (dpopRequired) {
      throw new TokenVerificationException(DPOP_REQUIRED, "the resource requires DPoP and the token was presented as a"
          + " bearer token" + (policy.isEnabled() ? "" : " (and this verifier has DPoP disabled)"));
    }
    if (jkt != null) {
      throw mismatch("the token is DPoP-bound (cnf.jkt) and was presented as a bearer token; it needs the DPoP scheme"
          + " and a proof (RFC 9449 section 7.2)");
    }
  }

  /** The DPoP scheme: refused when DPoP is disabled, and for a token that is not DPoP-bound (RFC 9449 section 7.1). */
  private void checkDpopScheme(String jkt) {
    if (proofs == null) {
      throw mismatch("the request uses the DPoP scheme and this verifier has DPoP disabled");
    }
    if (jkt == null) {
      throw mismatch("the token is not DPoP-bound (no cnf.jkt) and was presented with the DPoP scheme, which is for"
          + " DPoP-bound tokens (RFC 9449 section 7.1; section 4.3 check 12 cannot pass without a bound key)");
    }
  }

  /** RFC 8705 section 3: a certificate-bound token needs the TLS client certificate it names. */
  private static void checkCertificate(String x5t, TokenRequest request) {
    if (x5t == null) {
      return;
    }
    X509Certificate certificate = request.clientCertificate().orElse(null);
    if (certificate == null) {
      throw mismatch("the token is certificate-bound (cnf x5t#S256) and the request presents no client certificate"
          + " (RFC 8705 section 3)");
    }
    String thumbprint;
    try {
      thumbprint = certificateThumbprint(certificate);
    } catch (CertificateEncodingException e) {
      throw mismatch("the request's client certificate cannot be DER-encoded, so it cannot match cnf x5t#S256");
    }
    if (!DpopProofCheck.constantTimeEquals(thumbprint, x5t)) {
      throw mismatch("the token is bound to another certificate than the request's client certificate: cnf x5t#S256"
          + " is not the SHA-256 thumbprint of its DER encoding (RFC 8705 section 3)");
    }
  }

  /** base64url(SHA-256(DER)), the {@code x5t#S256} of RFC 8705 section 3.1. */
  static String certificateThumbprint(X509Certificate certificate) throws CertificateEncodingException {
    try {
      return DpopProofCheck.base64url(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is unavailable", e);
    }
  }

  private static TokenVerificationException mismatch(String detail) {
    return new TokenVerificationException(BINDING_MISMATCH, detail);
  }
}
