package io.flotilla.context;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A compiled user-data template. Templates are loaded and compiled when the manager starts,
 * so a broken one stops it before any machine is planned.
 */
public final class UserDataTemplate {
  private static final String BUILT_IN_PREFIX = "flotilla-templates/";
  private static final Mustache.Compiler COMPILER =
      Mustache.compiler().escapeHTML(false).strictSections(true);

  private final String name;
  private final Template template;

  private UserDataTemplate(String name, Template template) {
    this.name = name;
    this.template = template;
  }

  /**
   * Loads {@code reference}: a file relative to {@code baseDir} if one exists there, else a
   * built-in template of the contextualisation-templates module.
   *
   * @throws ContextException if neither exists or the template does not compile
   */
  public static UserDataTemplate load(String reference, Path baseDir) {
    Source source = source(reference, baseDir);
    return compile(source.name(), source.text());
  }

  /** A template's name (its file, or "built-in NAME") and text, not yet compiled. */
  public record Source(String name, String text) {}

  /**
   * Reads {@code reference} as {@link #load} does, without compiling it.
   *
   * @throws ContextException if it is neither a file nor a built-in template
   */
  public static Source source(String reference, Path baseDir) {
    Path file = baseDir.resolve(reference).normalize();
    if (Files.isRegularFile(file)) {
      return new Source(file.toString(), readFile(file));
    }
    return new Source("built-in " + reference, readBuiltIn(reference));
  }

  private static String readFile(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ContextException("template " + file + " cannot be read: " + e.getMessage(), e);
    }
  }

  private static String readBuiltIn(String reference) {
    String resource = BUILT_IN_PREFIX + reference;
    try (InputStream in = UserDataTemplate.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new ContextException("template '" + reference + "' is neither a file nor a"
            + " built-in template (see contextualisation-templates/)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ContextException("built-in template " + reference + " cannot be read", e);
    }
  }

  private static UserDataTemplate compile(String name, String text) {
    try {
      return new UserDataTemplate(name, COMPILER.compile(text));
    } catch (MustacheException e) {
      throw new ContextException("template " + name + " does not compile: " + e.getMessage(), e);
    }
  }

  public String name() {
    return name;
  }

  /**
   * Fills the template.
   *
   * @throws ContextException naming the template and the placeholder that has no value
   */
  public byte[] render(Map<String, Object> values) {
    try {
      return template.execute(values).getBytes(StandardCharsets.UTF_8);
    } catch (MustacheException.Context e) {
      throw new ContextException("template " + name + ": placeholder '" + e.key
          + "' on line " + e.lineNo + " has no value");
    } catch (MustacheException e) {
      throw new ContextException("template " + name + " cannot be rendered: " + e.getMessage());
    }
  }
}
