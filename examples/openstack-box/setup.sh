#!/usr/bin/env bash
# Prepares the OpenStack box example: the example PKI, a tiny qcow2 disk image and a signed
# image list endorsing it, a loopback HTTP server the manager downloads the image from, the
# box's password in a file, and the flavour the example's VMs use. Everything goes to
# generated/ beside this script; nothing here is a real credential. Stops with a hint when
# the box (tools/openstack-box) does not answer. Idempotent: run by ./flotilla before each
# run of this example.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
examples=$(dirname "$here")
root=$(dirname "$examples")
out=$here/generated
openrc=${OSBOX_DIR:-/tmp/osbox}/state/openrc
image_port=${FLOTILLA_IMAGE_PORT:-8397}
# Fixed, so the image's dc:identifier (derived from it and the file name) stays the one
# site.yaml names.
list_id=7b0d2f55-1c3e-4f0a-9e51-6a0c2b8d4e11
dn=/DC=XXX/DC=YYY/C=ZZ/O=Hosts/O=AA.net/CN=some.unknown.source
ca='/DC=XXX/DC=YYY/CN=SOME TEST CA'

if [[ ! -r $openrc ]] || ! curl -fsS --noproxy '*' -m 5 -o /dev/null \
    "$(sed -n "s/^export OS_AUTH_URL=//p" "$openrc")" 2>/dev/null; then
  echo "setup.sh: the OpenStack box does not answer ($openrc);" \
    "start it with: sudo bash tools/openstack-box/start.sh" >&2
  exit 1
fi
# shellcheck source=/dev/null
source "$openrc"

"$examples/pki/make-pki.sh" "$out/pki" some1.vo.net dteam >/dev/null

# The box's admin password, read by the provider from this file (mode 0600).
mkdir -p "$out/openstack"
( umask 077; printf '%s\n' "$OS_PASSWORD" > "$out/openstack/password" )

# A small disk image: 64 MiB virtual, about 200 KiB as qcow2.
mkdir -p "$out/images"
disk=$out/images/example-disk.qcow2
[[ -s $disk ]] || qemu-img create -q -f qcow2 "$disk" 64M

# Its image list, endorsed by the example endorser; hv:uri points at the loopback server.
list=$out/imagelist.json
if [[ ! -s $out/imagelist.signed || $disk -nt $out/imagelist.signed ]]; then
  java -jar "$root/manager/target/flotilla-manager.jar" imagelist new \
    --endorser-dn "$dn" --endorser-ca "$ca" --title "OpenStack box example images" \
    --uri "http://127.0.0.1:$image_port/imagelist.signed" --identifier "$list_id" \
    --image-base-uri "http://127.0.0.1:$image_port" -o "$list" "$disk" >/dev/null
  "$examples/pki/sign-imagelist.sh" "$out/pki" "$list" "$out/imagelist.signed" >/dev/null
fi

# The manager downloads image bytes over http(s) only (see README.md), so serve them.
if ! curl -fsS --noproxy '*' -m 2 -o /dev/null -r 0-0 \
    "http://127.0.0.1:$image_port/example-disk.qcow2" 2>/dev/null; then
  setsid nohup python3 -m http.server "$image_port" --bind 127.0.0.1 --directory "$out/images" \
    >"$out/image-server.log" 2>&1 &
  echo $! > "$out/image-server.pid"
  sleep 1
  echo "setup.sh: serving $out/images on http://127.0.0.1:$image_port" \
    "(stop it with: kill \$(cat $out/image-server.pid))" >&2
fi

# The flavour the example's VMs use: 1 vCPU, 64 MiB, 1 GB disk; made once per box start.
python3 - "$OS_AUTH_URL" "$OS_USERNAME" "$OS_PASSWORD" "$OS_PROJECT_NAME" <<'PY'
import json, sys, urllib.request
keystone, user, password, project = sys.argv[1:]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
def call(url, body=None, token=None):
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body else None,
        headers={"Content-Type": "application/json", **({"X-Auth-Token": token} if token else {})})
    return opener.open(request, timeout=30)
auth = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
    "name": user, "domain": {"name": "Default"}, "password": password}}},
    "scope": {"project": {"name": project, "domain": {"name": "Default"}}}}}
answer = call(keystone.rstrip("/") + "/auth/tokens", auth)
token = answer.headers["X-Subject-Token"]
catalog = json.load(answer)["token"]["catalog"]
nova = next(e["url"] for s in catalog if s["type"] == "compute"
            for e in s["endpoints"] if e["interface"] == "public")
flavours = json.load(call(nova + "/flavors", token=token))["flavors"]
if not any(f["name"] == "flotilla-example-flv" for f in flavours):
    call(nova + "/flavors", {"flavor": {"name": "flotilla-example-flv", "vcpus": 1,
                                        "ram": 64, "disk": 1}}, token)
PY
