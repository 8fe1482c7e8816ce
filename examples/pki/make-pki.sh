#!/usr/bin/env bash
# Creates an example grid PKI for trying Flotilla without real certificates:
#   OUTDIR/certificates/   hashed CA directory (<hash>.0 CA cert, <hash>.r0 CRL)
#   OUTDIR/ca/             CA key and bookkeeping (keep private)
#   OUTDIR/endorser/       image-list endorser key + cert
#   OUTDIR/vo/<vo>/        one robot key + cert per VO named on the command line
# Usage: make-pki.sh OUTDIR [VO ...]
# Idempotent: does nothing when OUTDIR/.complete exists. Needs only bash and openssl.
set -euo pipefail

readonly CA_SUBJECT='/DC=XXX/DC=YYY/CN=SOME TEST CA'
readonly ENDORSER_SUBJECT='/DC=XXX/DC=YYY/C=ZZ/O=Hosts/O=AA.net/CN=some.unknown.source'
# IGTF "classic" profile policy OID, so the certificates look like real grid ones.
readonly POLICY_OID='1.2.840.113612.5.2.2.1'

# quiet CMD...: runs CMD, showing its output only if it fails.
quiet() {
  local output
  if ! output=$("$@" 2>&1); then
    echo "make-pki: command failed: $*" >&2
    echo "$output" >&2
    exit 1
  fi
}

usage() {
  echo "usage: $0 OUTDIR [VO ...]" >&2
  exit 2
}

write_extensions() {
  cat > "$1" <<EXT
[ca_ext]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
certificatePolicies = ${POLICY_OID}

[endorser_ext]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature,keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
certificatePolicies = ${POLICY_OID}

[robot_ext]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
certificatePolicies = ${POLICY_OID}
EXT
}

write_ca_config() {
  local cadir=$1
  cat > "$cadir/openssl.cnf" <<CNF
[ca]
default_ca = example_ca

[example_ca]
dir = ${cadir}
database = \$dir/index.txt
crlnumber = \$dir/crlnumber
certificate = \$dir/ca.pem
private_key = \$dir/ca.key
default_md = sha256
default_crl_days = 365
CNF
}

new_key() {
  (umask 077 && openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1")
  chmod 600 "$1"
}

make_ca() {
  local cadir=$OUTDIR/ca
  mkdir -p "$cadir" "$OUTDIR/certificates"
  write_extensions "$cadir/extensions.cnf"
  write_ca_config "$cadir"
  : > "$cadir/index.txt"
  echo 1000 > "$cadir/crlnumber"
  new_key "$cadir/ca.key"
  quiet openssl req -new -x509 -key "$cadir/ca.key" -sha256 -days 3650 -subj "$CA_SUBJECT" \
    -config "$cadir/extensions.cnf" -extensions ca_ext -out "$cadir/ca.pem"
  local hash
  hash=$(openssl x509 -hash -noout -in "$cadir/ca.pem")
  cp "$cadir/ca.pem" "$OUTDIR/certificates/$hash.0"
  quiet openssl ca -config "$cadir/openssl.cnf" -gencrl -out "$OUTDIR/certificates/$hash.r0"
}

# issue DIR NAME SUBJECT EXTENSIONS DAYS: writes DIR/NAME.key and DIR/NAME.pem
issue() {
  local dir=$1 name=$2 subject=$3 extensions=$4 days=$5
  local cadir=$OUTDIR/ca
  mkdir -p "$dir"
  new_key "$dir/$name.key"
  quiet openssl req -new -key "$dir/$name.key" -subj "$subject" -out "$dir/$name.csr"
  quiet openssl x509 -req -in "$dir/$name.csr" -CA "$cadir/ca.pem" -CAkey "$cadir/ca.key" \
    -CAcreateserial -CAserial "$cadir/ca.srl" -sha256 -days "$days" \
    -extfile "$cadir/extensions.cnf" -extensions "$extensions" -out "$dir/$name.pem"
  rm -f "$dir/$name.csr"
}

main() {
  [[ $# -ge 1 ]] || usage
  OUTDIR=$1
  shift
  if [[ -e "$OUTDIR/.complete" ]]; then
    echo "make-pki: $OUTDIR already complete, nothing to do"
    return 0
  fi
  local vo
  for vo in "$@"; do
    if [[ ! $vo =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]]; then
      echo "make-pki: refusing VO name '$vo' (letters, digits, '.', '_', '-' only)" >&2
      exit 2
    fi
  done
  mkdir -p "$OUTDIR"
  make_ca
  issue "$OUTDIR/endorser" endorser "$ENDORSER_SUBJECT" endorser_ext 730
  for vo in "$@"; do
    issue "$OUTDIR/vo/$vo" robot "/DC=XXX/DC=YYY/O=Robots/CN=Robot: $vo pilot" robot_ext 365
  done
  touch "$OUTDIR/.complete"
  echo "make-pki: example PKI written to $OUTDIR"
}

main "$@"
