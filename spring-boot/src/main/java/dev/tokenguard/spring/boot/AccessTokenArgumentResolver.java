package dev.tokenguard.spring.boot;

import dev.tokenguard.AccessToken;
import dev.tokenguard.servlet.BearerTokenFilter;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Resolves a controller method parameter of type {@link AccessToken} to the token TokenGuard's
 * filter verified for the request, and {@code Optional<AccessToken>} to it or empty (a public
 * path, a CORS preflight). An {@code AccessToken} parameter on a request without a verified token
 * is a configuration error (the path is public, or the filter did not see the request), answered
 * with an {@link IllegalStateException} rather than a null.
 */
final class AccessTokenArgumentResolver implements HandlerMethodArgumentResolver {
  @Override
  public boolean supportsParameter(MethodParameter parameter) {
    return parameter.nestedIfOptional().getNestedParameterType() == AccessToken.class;
  }

  @Override
  public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer mavContainer,
      NativeWebRequest webRequest, WebDataBinderFactory binderFactory) {
    HttpServletRequest request = webRequest.getNativeRequest(HttpServletRequest.class);
    Optional<AccessToken> token = request == null ? Optional.empty() : BearerTokenFilter.accessToken(request);
    if (parameter.getParameterType() == Optional.class) {
      return token;
    }
    return token.orElseThrow(() -> new IllegalStateException("No verified access token for an AccessToken parameter of "
        + parameter.getExecutable().toGenericString() + ": the request's path is public (tokenguard.public-paths) or TokenGuard's filter did not see it; "
        + "declare the parameter as Optional<AccessToken> where a token may be absent"));
  }
}
