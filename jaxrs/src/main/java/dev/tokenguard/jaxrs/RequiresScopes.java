package dev.tokenguard.jaxrs;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The annotated resource method, or every resource method of the annotated class, needs an access
 * token carrying <em>every one</em> of {@link #value()} ({@link dev.tokenguard.Requirement#allScopes
 * Requirement.allScopes}). A valid token without one of them gets 403 {@code insufficient_scope}
 * with {@code scope="..."} naming them (RFC 6750 section 3.1); no token, 401.
 *
 * <pre>{@code
 * @Path("/api/patients")
 * @RequiresScopes("read:patients")
 * public class PatientsResource { ... }
 * }</pre>
 *
 * <p>Read by {@link BearerTokenFeature} when the application starts: a method's own annotation
 * replaces its class's (see {@link BearerTokenFeature} for the whole lookup order). Giving one
 * method or class this annotation together with {@link RequiresAnyScope} or {@code @PermitAll}, no
 * scope, or a scope that is not an RFC 6750 scope token stops the application from starting.
 * Inherited by subclasses, so proxies a container generates keep it.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface RequiresScopes {
  /**
   * The scopes the token must all carry.
   *
   * @return one or more RFC 6750 scope tokens (section 3: printable ASCII without spaces, {@code "}
   *     or {@code \}), e.g. {@code read:patients}
   */
  String[] value();
}
