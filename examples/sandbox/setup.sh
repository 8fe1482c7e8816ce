#!/usr/bin/env bash
# Prepares the sandbox example: an example PKI (CA with CRL, endorser, one robot
# certificate per VO) and the example image list signed by the example endorser.
# Everything goes to generated/ beside this script; nothing here is a real credential.
# Idempotent: run by ./flotilla before each run of this example.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
examples=$(dirname "$here")
out=$here/generated
"$examples/pki/make-pki.sh" "$out/pki" some1.vo.net dteam >/dev/null
if [[ ! -s $out/imagelist.signed || $here/imagelist.json -nt $out/imagelist.signed ]]; then
  "$examples/pki/sign-imagelist.sh" "$out/pki" "$here/imagelist.json" \
    "$out/imagelist.signed" >/dev/null
fi
