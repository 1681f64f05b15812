package dev.tokenguard.jaxrs;

import dev.tokenguard.Requirement;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/**
 * What one resource method needs, read from its annotations when the application starts: nothing
 * (public, {@code @PermitAll}) or a valid token meeting a {@link Requirement}.
 *
 * <p>Lookup order, the first level carrying one of {@link RequiresScopes}, {@link
 * RequiresAnyScope} or {@code jakarta.annotation.security.PermitAll} deciding:
 *
 * <ol>
 *   <li>the method as declared in the resource class, then as declared in its superclasses,
 *       nearest first (so a proxy subclass a container generates keeps the annotations of the
 *       method it overrides); then the method the runtime reports (for example on an interface);
 *   <li>the resource class, then its superclasses, nearest first;
 *   <li>the class or interface declaring the method the runtime reports.
 * </ol>
 *
 * A level carrying two of them is refused. Without any, a valid token is needed ({@link
 * Requirement#none()}). {@code PermitAll} is recognised by name, so {@code jakarta.annotation-api}
 * is not needed at run time. Immutable.
 */
final class Access {
  static final String PERMIT_ALL = "jakarta.annotation.security.PermitAll";

  private static final Access AUTHENTICATED = new Access(false, Requirement.none(), "no TokenGuard annotation: a valid token");

  /** True for a public method: its credentials are not looked at. */
  final boolean isPublic;
  /** For a protected method: what its token must meet. */
  final Requirement requirement;
  /** Where this came from, for logs and messages. */
  final String source;

  private Access(boolean isPublic, Requirement requirement, String source) {
    this.isPublic = isPublic;
    this.requirement = requirement;
    this.source = source;
  }

  /**
   * The access of {@code method} served by an instance of {@code resourceClass}.
   *
   * @param resourceClass the resource class the runtime matched; may be null when unknown
   * @param method the resource method the runtime matched; may be null (a programmatic resource)
   * @throws IllegalStateException when one level carries two access annotations, or an annotation
   *     holds no scope or a malformed one (the message names the element)
   */
  static Access of(Class<?> resourceClass, Method method) {
    for (AnnotatedElement level : levels(resourceClass, method)) {
      Access access = read(level);
      if (access != null) {
        return access;
      }
    }
    return AUTHENTICATED;
  }

  /**
   * Refuses access annotations on the sub-resource locators of {@code resourceClass} (methods with
   * {@code @Path} and no request method designator): they would not apply to the sub-resource's
   * methods, which are matched on their own, so the annotation would promise what it does not do.
   *
   * @throws IllegalStateException naming the locator
   */
  static void checkLocators(Class<?> resourceClass) {
    if (resourceClass == null) {
      return;
    }
    for (Method m : resourceClass.getMethods()) {
      if (m.isAnnotationPresent(Path.class) && !hasRequestMethodDesignator(m) && !accessAnnotations(m).isEmpty()) {
        throw new IllegalStateException("TokenGuard: " + name(m) + " is a sub-resource locator; its " + names(accessAnnotations(m))
            + " would not apply to the sub-resource's methods. Annotate the sub-resource class or its methods instead.");
      }
    }
  }

  private static List<AnnotatedElement> levels(Class<?> resourceClass, Method method) {
    List<AnnotatedElement> levels = new ArrayList<>();
    if (method != null) {
      for (Class<?> c = resourceClass; c != null && c != Object.class; c = c.getSuperclass()) {
        Method declared = declared(c, method);
        if (declared != null) {
          levels.add(declared);
        }
      }
      if (!levels.contains(method)) {
        levels.add(method);
      }
    }
    for (Class<?> c = resourceClass; c != null && c != Object.class; c = c.getSuperclass()) {
      levels.add(c);
    }
    if (method != null && !levels.contains(method.getDeclaringClass())) {
      levels.add(method.getDeclaringClass());
    }
    return levels;
  }

  private static Method declared(Class<?> c, Method method) {
    try {
      Method m = c.getDeclaredMethod(method.getName(), method.getParameterTypes());
      return m.isBridge() ? null : m;
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  /** The access {@code element} declares itself (not inherited), or null when it declares none. */
  private static Access read(AnnotatedElement element) {
    List<Annotation> found = accessAnnotations(element);
    if (found.isEmpty()) {
      return null;
    }
    String where = element instanceof Method ? name((Method) element) : ((Class<?>) element).getName();
    if (found.size() > 1) {
      throw new IllegalStateException("TokenGuard: " + where + " carries " + names(found) + "; keep one of them");
    }
    Annotation a = found.get(0);
    String source = "@" + a.annotationType().getSimpleName() + " on " + where;
    try {
      if (a instanceof RequiresScopes) {
        return new Access(false, Requirement.allScopes(((RequiresScopes) a).value()), source);
      }
      if (a instanceof RequiresAnyScope) {
        return new Access(false, Requirement.anyScope(((RequiresAnyScope) a).value()), source);
      }
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalStateException("TokenGuard: " + source + ": " + e.getMessage(), e);
    }
    return new Access(true, Requirement.none(), source);
  }

  /** The access annotations {@code element} declares itself, in declaration order. */
  private static List<Annotation> accessAnnotations(AnnotatedElement element) {
    List<Annotation> found = new ArrayList<>(1);
    for (Annotation a : element.getDeclaredAnnotations()) {
      Class<? extends Annotation> type = a.annotationType();
      if (type == RequiresScopes.class || type == RequiresAnyScope.class || type.getName().equals(PERMIT_ALL)) {
        found.add(a);
      }
    }
    return found;
  }

  private static boolean hasRequestMethodDesignator(Method m) {
    for (Annotation a : m.getAnnotations()) {
      if (a.annotationType().isAnnotationPresent(HttpMethod.class)) {
        return true;
      }
    }
    return false;
  }

  private static String names(List<Annotation> annotations) {
    List<String> names = new ArrayList<>(annotations.size());
    annotations.forEach(a -> names.add("@" + a.annotationType().getSimpleName()));
    return String.join(" and ", names);
  }

  private static String name(Method m) {
    return m.getDeclaringClass().getName() + "#" + m.getName();
  }

  /** Where the access came from and what it needs; for logs. */
  @Override
  public String toString() {
    return source + (isPublic ? " (public)" : " (" + requirement + ")");
  }
}
