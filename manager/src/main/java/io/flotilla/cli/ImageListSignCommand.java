package io.flotilla.cli;

import io.flotilla.trust.ImageListException;
import io.flotilla.trust.OpenSslDn;
import io.flotilla.trust.SmimeSigner;
import io.flotilla.trust.UnverifiedImageList;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code flotilla imagelist sign}: wraps a JSON list in an S/MIME SHA-256 signature. */
@Command(name = "sign", mixinStandardHelpOptions = true,
    description = {"Signs the image list IN as S/MIME (SHA-256) and writes OUT: detached"
        + " multipart/signed by default, opaque application/x-pkcs7-mime with --opaque.",
        "Exit status: 0 when OUT was written, 1 when IN is not an image list or signing"
            + " fails, 2 on a usage error (missing argument, unreadable file)."})
final class ImageListSignCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--cert", required = true, paramLabel = "PEM",
      description = "signer certificate; further certificates in the file are included")
  Path certificate;

  @Option(names = "--key", required = true, paramLabel = "PEM",
      description = "the signer's unencrypted private key")
  Path key;

  @Option(names = "--opaque", description = "write opaque signed-data instead of detached")
  boolean opaque;

  @Parameters(index = "0", paramLabel = "IN", description = "the image list JSON")
  Path in;

  @Parameters(index = "1", paramLabel = "OUT", description = "where to write the signed list")
  Path out;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Optional<byte[]> content = ImageListFiles.read(in, "image list", err);
    if (content.isEmpty()) {
      return ImageListFiles.USAGE;
    }
    SmimeSigner signer;
    try {
      signer = SmimeSigner.load(certificate, key);
    } catch (SmimeSigner.SigningException e) {
      err.println("flotilla imagelist sign: " + e.getMessage());
      return ImageListFiles.USAGE;
    }
    try {
      warnIfEndorserDiffers(UnverifiedImageList.read(in.toString(), content.get()), signer,
          err);
      Files.write(out, signer.sign(content.get(), opaque));
    } catch (ImageListException | SmimeSigner.SigningException e) {
      err.println("flotilla imagelist sign: " + e.getMessage());
      return ImageListFiles.REFUSED;
    } catch (IOException e) {
      err.println("flotilla imagelist sign: cannot write " + out + ": " + e);
      return ImageListFiles.REFUSED;
    }
    spec.commandLine().getOut().println("signed " + in + " as " + signer.signerDn() + " -> "
        + out + (opaque ? " (opaque)" : " (detached)"));
    return ImageListFiles.OK;
  }

  /** Verification would refuse the list, so say so now; signing still proceeds. */
  private static void warnIfEndorserDiffers(UnverifiedImageList list, SmimeSigner signer,
      PrintWriter err) {
    String listed = list.imageList().endorserDn();
    if (!OpenSslDn.sameDn(listed, signer.signerDn())) {
      err.println("flotilla imagelist sign: warning: hv:dn '" + listed + "' differs from the"
          + " signer '" + signer.signerDn() + "'; verification will refuse the list");
    }
  }
}
