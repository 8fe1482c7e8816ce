#!/usr/bin/env bash
# Signs an image list with the example endorser made by make-pki.sh, as a detached
# S/MIME multipart/signed message (what AppDB and hepixvmitrust publish).
# Usage: sign-imagelist.sh PKIDIR IN.json OUT.signed
set -euo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: $0 PKIDIR IN.json OUT.signed" >&2
  exit 2
fi
readonly PKIDIR=$1 IN=$2 OUT=$3
for file in "$PKIDIR/endorser/endorser.pem" "$PKIDIR/endorser/endorser.key" "$IN"; do
  if [[ ! -r $file ]]; then
    echo "sign-imagelist: cannot read $file" >&2
    exit 1
  fi
done
openssl smime -sign -in "$IN" -signer "$PKIDIR/endorser/endorser.pem" \
  -inkey "$PKIDIR/endorser/endorser.key" -md sha256 -out "$OUT"
echo "sign-imagelist: signed $IN -> $OUT"
