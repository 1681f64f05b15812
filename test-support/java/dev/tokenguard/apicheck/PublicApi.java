package dev.tokenguard.apicheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads a published module's API from its build output, for the modules' {@code PublicApiTest}s
 * (compiled into each module's tests from {@code test-support/java}; never shipped).
 *
 * <p>The API is every public type of an exported package (nested types only when every enclosing
 * type is public too) with its public and protected constructors, methods and fields, one sorted
 * line each. The reviewed list lives in the module's {@code src/test/resources/public-api.txt};
 * {@code -Dpublic-api.update=true} rewrites it from the build, for a change made on purpose.
 */
public final class PublicApi {
  /** The reviewed list, relative to the module directory (the tests' working directory). */
  public static final Path REVIEWED = Path.of("src", "test", "resources", "public-api.txt");
  private static final Path CLASSES = Path.of("target", "classes");

  private PublicApi() {}

  /** The descriptor of the module built into {@code target/classes}. */
  public static ModuleDescriptor builtModule() {
    Set<ModuleReference> found = ModuleFinder.of(CLASSES).findAll();
    if (found.size() != 1) {
      throw new AssertionError("expected one module descriptor in " + CLASSES.toAbsolutePath() + ", found " + found);
    }
    return found.iterator().next().descriptor();
  }

  /** The exported packages of the built module; a qualified export is listed with its targets. */
  public static Set<String> exports(ModuleDescriptor module) {
    return module.exports().stream()
        .map(e -> e.isQualified() ? e.source() + " to " + new TreeSet<>(e.targets()) : e.source())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * Fails with the difference when the built API differs from the reviewed list, or rewrites the
   * list when the system property {@code public-api.update} is {@code true}.
   */
  public static void assertMatchesReviewedList() {
    List<String> built = signatures();
    List<String> reviewed = readReviewed();
    if (built.equals(reviewed)) {
      return;
    }
    if (Boolean.getBoolean("public-api.update")) {
      try {
        Files.createDirectories(REVIEWED.getParent());
        Files.write(REVIEWED, built, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      System.out.println("public-api.update: wrote " + built.size() + " lines to " + REVIEWED.toAbsolutePath());
      return;
    }
    Set<String> added = new TreeSet<>(built);
    added.removeAll(reviewed);
    Set<String> removed = new TreeSet<>(reviewed);
    removed.removeAll(built);
    StringBuilder message = new StringBuilder("The public API differs from the reviewed list in ")
        .append(REVIEWED).append(".\n");
    added.forEach(line -> message.append("+ ").append(line).append('\n'));
    removed.forEach(line -> message.append("- ").append(line).append('\n'));
    message.append("If the change is deliberate, rewrite the list and commit it with the change:\n")
        .append("  mvn -B -ntp -pl <module> -am verify -Dtest=PublicApiTest -Dsurefire.failIfNoSpecifiedTests=false"
            + " -Dpublic-api.update=true\n");
    throw new AssertionError(message.toString());
  }

  private static List<String> readReviewed() {
    try {
      return Files.exists(REVIEWED) ? Files.readAllLines(REVIEWED, StandardCharsets.UTF_8) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One line per public type and member of the exported packages, sorted. */
  public static List<String> signatures() {
    Set<String> exported = builtModule().exports().stream()
        .filter(e -> !e.isQualified())
        .map(ModuleDescriptor.Exports::source)
        .collect(Collectors.toSet());
    Set<String> lines = new TreeSet<>();
    for (Class<?> type : classes()) {
      if (exported.contains(type.getPackageName()) && isApi(type)) {
        lines.add(describe(type));
        members(type).forEach(lines::add);
      }
    }
    return new ArrayList<>(lines);
  }

  private static List<Class<?>> classes() {
    List<Class<?>> classes = new ArrayList<>();
    try (Stream<Path> files = Files.walk(CLASSES)) {
      for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
        String name = CLASSES.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
        name = name.substring(0, name.length() - ".class".length());
        if (name.equals("module-info") || name.endsWith("package-info")) {
          continue;
        }
        classes.add(Class.forName(name, false, PublicApi.class.getClassLoader()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ClassNotFoundException e) {
      throw new AssertionError(e);
    }
    return classes;
  }

  private static boolean isApi(Class<?> type) {
    for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
      if (!Modifier.isPublic(t.getModifiers()) || t.isAnonymousClass() || t.isLocalClass() || t.isSynthetic()) {
        return false;
      }
    }
    return true;
  }

  private static String describe(Class<?> type) {
    String kind = type.isAnnotation() ? "@interface" : type.isInterface() ? "interface" : type.isEnum() ? "enum"
        : type.isRecord() ? "record" : "class";
    int modifiers = type.getModifiers() & (type.isInterface() ? Modifier.PUBLIC | Modifier.STATIC : Modifier.classModifiers());
    StringBuilder line = new StringBuilder(type.getTypeName()).append(": ").append(Modifier.toString(modifiers))
        .append(' ').append(kind);
    Type superclass = type.getGenericSuperclass();
    if (superclass != null && superclass != Object.class && !type.isEnum() && !type.isRecord()) {
      line.append(" extends ").append(superclass.getTypeName());
    }
    Type[] interfaces = type.getGenericInterfaces();
    if (interfaces.length > 0) {
      line.append(type.isInterface() ? " extends " : " implements ")
          .append(Arrays.stream(interfaces).map(Type::getTypeName).collect(Collectors.joining(", ")));
    }
    return line.toString();
  }

  private static List<String> members(Class<?> type) {
    List<String> lines = new ArrayList<>();
    for (Constructor<?> c : type.getDeclaredConstructors()) {
      if (visible(c) && !type.isEnum()) {
        lines.add(type.getTypeName() + "#<init>(" + parameters(c) + "): " + Modifier.toString(c.getModifiers()) + throwsClause(c));
      }
    }
    for (Method m : type.getDeclaredMethods()) {
      if (visible(m) && !m.isBridge()) {
        String modifiers = Modifier.toString(m.getModifiers() & Modifier.methodModifiers()) + (m.isDefault() ? " default" : "");
        lines.add(type.getTypeName() + "#" + m.getName() + "(" + parameters(m) + "): " + modifiers + " "
            + m.getGenericReturnType().getTypeName() + throwsClause(m));
      }
    }
    for (Field f : type.getDeclaredFields()) {
      if (visible(f)) {
        lines.add(type.getTypeName() + "." + f.getName() + ": " + Modifier.toString(f.getModifiers() & Modifier.fieldModifiers())
            + " " + f.getGenericType().getTypeName());
      }
    }
    return lines;
  }

  private static boolean visible(Member member) {
    int modifiers = member.getModifiers();
    return !member.isSynthetic() && (Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers));
  }

  private static String parameters(Executable executable) {
    String joined = Arrays.stream(executable.getGenericParameterTypes()).map(Type::getTypeName)
        .collect(Collectors.joining(", "));
    return executable.isVarArgs() ? joined.substring(0, joined.length() - 2) + "..." : joined;
  }

  private static String throwsClause(Executable executable) {
    Type[] thrown = executable.getGenericExceptionTypes();
    return thrown.length == 0 ? "" : " throws " + Arrays.stream(thrown).map(Type::getTypeName).collect(Collectors.joining(", "));
  }
}
