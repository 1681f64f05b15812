/**
 * Implementation details of TokenGuard. <strong>Not API:</strong> anything here may change or
 * disappear in any release; do not depend on it.
 */
package dev.tokenguard.internal;
