#!/usr/bin/env bash
# Prepares the formats example: an example PKI (CA with CRL, endorser, one robot
# certificate per VO) under generated/ beside this script; nothing here is a real credential.
# Idempotent: run by ./flotilla before each use of this example.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
examples=$(dirname "$here")
out=$here/generated
"$examples/pki/make-pki.sh" "$out/pki" legacy.vo atlas cms lhcb vac.vo >/dev/null
