package dev.tokenguard.jaxrs;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The annotated resource method, or every resource method of the annotated class, needs an access
 * token carrying <em>at least one</em> of {@link #value()} ({@link
 * dev.tokenguard.Requirement#anyScope Requirement.anyScope}). A valid token with none of them gets
 * 403 {@code insufficient_scope} with {@code scope="..."} naming all of them (RFC 6750 section
 * 3.1); no token, 401.
 *
 * <pre>{@code
 * @GET
 * @Path("/reports")
 * @RequiresAnyScope({"read:reports", "read:admin"})
 * public String reports() { ... }
 * }</pre>
 *
 * <p>Read by {@link BearerTokenFeature} when the application starts, with the same lookup order and
 * the same refusals as {@link RequiresScopes}. Inherited by subclasses.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface RequiresAnyScope {
  /**
   * The scopes of which the token must carry one.
   *
   * @return one or more RFC 6750 scope tokens (section 3), e.g. {@code read:reports} and {@code
   *     read:admin}
   */
  String[] value();
}
