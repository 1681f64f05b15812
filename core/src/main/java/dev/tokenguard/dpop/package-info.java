/**
 * DPoP (RFC 9449) building blocks a deployment chooses or supplies: the replay store that makes a
 * proof single-use across all instances of an API ({@link dev.tokenguard.dpop.ReplayStore}, with
 * an in-memory default from {@link dev.tokenguard.dpop.ReplayStores} and a Redis one in the
 * {@code tokenguard-redis} artifact), and server-provided nonces that several instances agree on
 * without sharing state ({@link dev.tokenguard.dpop.DpopNonces}). They are configured on the
 * verifier through {@link dev.tokenguard.DpopPolicy}.
 */
package dev.tokenguard.dpop;
