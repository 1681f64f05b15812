package dev.tokenguard.interop.conformance;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a test to one or more case ids of the OAuth SDK conformance catalog
 * ({@code ../shared/conformance/oauth-sdk-conformance-catalog.yaml}). The test's outcome becomes
 * the case's outcome in {@code target/conformance-report.json}; a test disabled or aborted with a
 * reason records the case as skipped with that reason (for a case judged wrong against its RFC).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ConformanceCase {
  /** The catalog case ids this test covers. */
  String[] value();
}
