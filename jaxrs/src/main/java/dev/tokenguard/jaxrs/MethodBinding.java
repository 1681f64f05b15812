package dev.tokenguard.jaxrs;

import dev.tokenguard.http.ProtectedResource;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Binds a {@link BearerTokenRequestFilter} to every resource method that is not public, with the
 * {@link Access} its annotations give, when the runtime builds its resource model; a public
 * ({@code @PermitAll}) method gets no filter, so its credentials are not looked at. Misplaced or
 * conflicting annotations stop the application from starting. Thread-safe.
 */
final class MethodBinding implements DynamicFeature {
  private final ProtectedResource resource;
  private final Set<Class<?>> checkedClasses = ConcurrentHashMap.newKeySet();

  MethodBinding(ProtectedResource resource) {
    this.resource = resource;
  }

  @Override
  public void configure(ResourceInfo resourceInfo, FeatureContext context) {
    Class<?> resourceClass = resourceInfo.getResourceClass();
    if (resourceClass != null && checkedClasses.add(resourceClass)) {
      Access.checkLocators(resourceClass);
    }
    Access access = Access.of(resourceClass, resourceInfo.getResourceMethod());
    if (!access.isPublic) {
      context.register(new BearerTokenRequestFilter(resource, access), Priorities.AUTHENTICATION);
    }
  }
}
