package dev.tokenguard.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Makes a minimal self-signed X.509 v1 certificate for a key pair (RFC 5280 section 4.1: the
 * DER is written here, signed with the JDK's {@link Signature}, and parsed back with the JDK's
 * {@link CertificateFactory}), for tests of certificate-bound tokens (RFC 8705), which need a
 * certificate but never its chain (section 6.2). The JDK has no public API to make one.
 */
final class SelfSignedCertificate {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final DateTimeFormatter GENERALIZED_TIME =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

  private SelfSignedCertificate() {}

  /**
   * A certificate for {@code publicKey}, signed with {@code privateKey} using {@code
   * signatureAlgorithm} ({@code SHA256withECDSA}, {@code SHA256withRSA} or {@code Ed25519}), named
   * {@code CN=<commonName>}, valid from {@code notBefore} to {@code notAfter}.
   */
  static X509Certificate create(PublicKey publicKey, PrivateKey privateKey, String signatureAlgorithm, String commonName,
      Instant notBefore, Instant notAfter) throws GeneralSecurityException {
    byte[] algorithm = algorithmIdentifier(signatureAlgorithm);
    byte[] name = sequence(set(sequence(oid(2, 5, 4, 3), tlv(0x0c, commonName.getBytes(StandardCharsets.UTF_8)))));
    byte[] validity = sequence(time(notBefore), time(notAfter));
    byte[] serial = tlv(0x02, new BigInteger(63, RANDOM).add(BigInteger.ONE).toByteArray());
    byte[] tbs = sequence(serial, algorithm, name, validity, name, publicKey.getEncoded());
    Signature signer = Signature.getInstance(signatureAlgorithm);
    signer.initSign(privateKey);
    signer.update(tbs);
    byte[] signature = signer.sign();
    byte[] bitString = new byte[signature.length + 1]; // no unused bits
    System.arraycopy(signature, 0, bitString, 1, signature.length);
    byte[] der = sequence(tbs, algorithm, tlv(0x03, bitString));
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
  }

  private static byte[] algorithmIdentifier(String signatureAlgorithm) {
    switch (signatureAlgorithm) {
      case "SHA256withECDSA":
        return sequence(oid(1, 2, 840, 10045, 4, 3, 2));
      case "SHA256withRSA":
        return sequence(oid(1, 2, 840, 113549, 1, 1, 11), new byte[] {0x05, 0x00});
      case "Ed25519":
        return sequence(oid(1, 3, 101, 112));
      default:
        throw new IllegalArgumentException("no certificate for signature algorithm " + signatureAlgorithm);
    }
  }

  /** UTCTime until 2049, GeneralizedTime from 2050 (RFC 5280 section 4.1.2.5). */
  private static byte[] time(Instant instant) {
    String generalized = GENERALIZED_TIME.format(instant);
    int year = Integer.parseInt(generalized.substring(0, 4));
    return year < 2050
        ? tlv(0x17, generalized.substring(2).getBytes(StandardCharsets.US_ASCII))
        : tlv(0x18, generalized.getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] oid(int... arcs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(arcs[0] * 40 + arcs[1]);
    for (int i = 2; i < arcs.length; i++) {
      int arc = arcs[i];
      int groups = 1;
      for (int v = arc >>> 7; v != 0; v >>>= 7) {
        groups++;
      }
      for (int g = groups - 1; g >= 0; g--) {
        int bits = (arc >>> (7 * g)) & 0x7f;
        out.write(g == 0 ? bits : bits | 0x80);
      }
    }
    return tlv(0x06, out.toByteArray());
  }

  private static byte[] sequence(byte[]... parts) {
    return tlv(0x30, concat(parts));
  }

  private static byte[] set(byte[]... parts) {
    return tlv(0x31, concat(parts));
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** One DER element: tag, definite length, content. */
  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = content.length;
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = length > 0xffff ? 3 : length > 0xff ? 2 : 1;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write((length >>> (8 * i)) & 0xff);
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }
}
