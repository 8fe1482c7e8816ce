package io.flotilla.cli;

import io.flotilla.trust.Image;
import io.flotilla.trust.ImageList;
import io.flotilla.trust.ImageListException;
import io.flotilla.trust.UnverifiedImageList;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flotilla imagelist show}: prints a list's fields and images without verifying. */
@Command(name = "show", mixinStandardHelpOptions = true,
    description = {"Prints the fields and images of a signed or unsigned image list. The"
        + " signature is NOT checked: use 'imagelist verify' for that.",
        "Exit status: 0 when shown, 1 when FILE is not an image list, 2 when unreadable."})
final class ImageListShowCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "the image list file")
  Path file;

  @Override
  public Integer call() {
    Optional<byte[]> bytes = ImageListFiles.read(file, "image list", spec.commandLine().getErr());
    if (bytes.isEmpty()) {
      return ImageListFiles.USAGE;
    }
    UnverifiedImageList read;
    try {
      read = UnverifiedImageList.read(file.toString(), bytes.get());
    } catch (ImageListException e) {
      spec.commandLine().getErr().println("flotilla imagelist show: " + e.getMessage());
      return ImageListFiles.REFUSED;
    }
    PrintWriter out = spec.commandLine().getOut();
    print(out, read);
    out.flush();
    return ImageListFiles.OK;
  }

  private static void print(PrintWriter out, UnverifiedImageList read) {
    ImageList list = read.imageList();
    out.println("envelope:      " + read.envelope() + " (signature not verified)");
    field(out, "dc:identifier", list.identifier());
    field(out, "dc:title", list.title());
    field(out, "hv:version", list.version());
    field(out, "dc:date:created", list.created());
    field(out, "dc:date:expires", list.expires());
    field(out, "hv:dn", list.endorserDn());
    field(out, "hv:ca", list.endorserCaDn());
    field(out, "hv:uri", list.uri());
    field(out, "ad:vo", list.vo());
    out.println("images:        " + list.images().size());
    for (Image image : list.images()) {
      out.println("- " + image.identifier() + "  " + orDash(image.title()) + "  version "
          + orDash(image.version()));
      out.println("    " + image.size() + " bytes  " + orDash(image.format()) + "  "
          + orDash(image.arch()) + "  " + image.uri());
      out.println("    sha512 " + image.sha512()
          + (image.expires() == null ? "" : "  expires " + image.expires()));
    }
    read.warnings().forEach(w -> out.println("skipped: " + w));
  }

  private static void field(PrintWriter out, String name, Object value) {
    out.println(String.format("%-15s%s", name + ":", orDash(value)));
  }

  private static String orDash(Object value) {
    return value == null ? "-" : value.toString();
  }
}
