#!/usr/bin/env bash
# Prepares the EC2 (moto) example: the example PKI and signed image list (as the sandbox
# example does, from its image list), a dummy EC2 access key, and a check that moto_server
# answers on 127.0.0.1:5000. Everything goes to generated/ beside this script; nothing here
# is a real credential. Idempotent: run by ./flotilla before each run of this example.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
examples=$(dirname "$here")
out=$here/generated
endpoint=${FLOTILLA_MOTO_ENDPOINT:-http://127.0.0.1:5000}

"$examples/pki/make-pki.sh" "$out/pki" some1.vo.net dteam >/dev/null
list=$examples/sandbox/imagelist.json
if [[ ! -s $out/imagelist.signed || $list -nt $out/imagelist.signed ]]; then
  "$examples/pki/sign-imagelist.sh" "$out/pki" "$list" "$out/imagelist.signed" >/dev/null
fi

# moto accepts any key; these only have to look like one.
mkdir -p "$out/ec2"
( umask 077
  [[ -s $out/ec2/access_key_id ]] || echo AKIDFLOTILLAEXAMPLE > "$out/ec2/access_key_id"
  [[ -s $out/ec2/secret_access_key ]] || echo example-secret-not-a-key \
    > "$out/ec2/secret_access_key" )

if ! curl -fsS --noproxy '*' -m 5 -o /dev/null "$endpoint/moto-api/" 2>/dev/null; then
  echo "setup.sh: moto_server does not answer at $endpoint;" \
    "start it with: moto_server -H 127.0.0.1 -p 5000" >&2
  exit 1
fi
