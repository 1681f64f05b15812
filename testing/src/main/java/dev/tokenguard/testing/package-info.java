/**
 * Test fixtures: {@link dev.tokenguard.testing.FakeIssuer} is an in-process OAuth 2.0 issuer on a
 * loopback port that serves discovery and JWKS and mints access tokens, ID tokens and deliberately
 * broken tokens, so tests of an API need no network and no real identity provider.
 *
 * <p>Tokens it mints are trusted only by verifiers configured with its issuer and keys; it has no
 * use outside tests.
 */
package dev.tokenguard.testing;
