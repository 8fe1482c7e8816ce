#!/bin/bash
# start.sh - bring up a minimal real OpenStack (Keystone, Glance, Placement,
# Nova api/conductor/scheduler/compute with nova.virt.fake.FakeDriver) on one
# Debian 12 host from Debian packages only, every listener on 127.0.0.1.
#
# Usage: start.sh            install (if needed) + configure + start
#        OSBOX_SKIP_INSTALL=1 start.sh    skip apt entirely
# Stop with stop.sh. State lives in $OSBOX_DIR/state (wiped on start).
set -euo pipefail

OSBOX_DIR=${OSBOX_DIR:-/tmp/osbox}
S=$OSBOX_DIR/state
BIN=$OSBOX_DIR/bin
PY=/usr/bin/python3               # never a pyenv/venv python: Debian's modules live here
H=127.0.0.1
KS_PORT=${OSBOX_KEYSTONE_PORT:-15000}      # 5000 is often taken; keep off it
GLANCE_PORT=${OSBOX_GLANCE_PORT:-19292}
PLACEMENT_PORT=${OSBOX_PLACEMENT_PORT:-18778}
NOVA_PORT=${OSBOX_NOVA_PORT:-18774}
NEUTRON_PORT=${OSBOX_NEUTRON_STUB_PORT:-19696}
RABBIT_PORT=${OSBOX_RABBIT_PORT:-25673}
RABBIT_DIST_PORT=${OSBOX_RABBIT_DIST_PORT:-25674}
EPMD_PORT=${OSBOX_EPMD_PORT:-24369}         # private epmd, not the shared 4369
PW=${OSBOX_PASSWORD:-osbox}
KS_URL=http://$H:$KS_PORT/v3
TRANSPORT=rabbit://osbox:$PW@$H:$RABBIT_PORT/

OSBOX_DB=${OSBOX_DB:-mariadb}     # mariadb (default) or sqlite (see report: sqlite locks)
PKGS="python3-nova python3-keystone python3-glance python3-placement python3-openstackclient rabbitmq-server"
[ "$OSBOX_DB" = mariadb ] && PKGS="$PKGS mariadb-server"
db_url() {  # $1 = database name
  if [ "$OSBOX_DB" = mariadb ]; then
    echo "mysql+pymysql://root@/$1?unix_socket=$S/mysql/mysql.sock&charset=utf8"
  else
    echo "sqlite:///$S/$1.sqlite"
  fi
}

T0=$(date +%s.%N)
mkdir -p "$OSBOX_DIR"   # the apt log below is written here before anything else makes it
ts() { printf '[osbox %6.1fs] %s\n' "$(echo "$(date +%s.%N) - $T0" | bc)" "$*"; }

# ---------------------------------------------------------------- install
if [ "${OSBOX_SKIP_INSTALL:-0}" != 1 ]; then
  missing=$(dpkg-query -W -f='${Package} ${Status}\n' $PKGS 2>/dev/null | grep -vc 'install ok installed' || true)
  if [ "$missing" != 0 ] || ! dpkg -s $PKGS >/dev/null 2>&1; then
    ts "installing Debian packages"
    [ "${OSBOX_APT_UPDATE:-1}" = 1 ] && apt-get update -q >/dev/null
    # Keep udev at the installed systemd version so apt does not upgrade systemd.
    UDEV_PIN=""
    sysv=$(dpkg-query -W -f='${Version}' libudev1 2>/dev/null || true)
    if [ -n "$sysv" ] && apt-cache madison udev | grep -qF " $sysv "; then UDEV_PIN="udev=$sysv"; fi
    # A policy-rc.d that exits 101 keeps rabbitmq/iscsid from being started by postinst
    # (and thus from binding 0.0.0.0). Only created if none exists; removed afterwards.
    made_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made_policy=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $PKGS $UDEV_PIN >"$OSBOX_DIR/apt-install.log" 2>&1
    [ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
    ts "packages installed"
  fi
fi

# ---------------------------------------------------------------- helper programs
mkdir -p $BIN
cat > $BIN/py-entry <<'OSBOX_EOF'
#!/bin/bash
# py-entry MODULE ARGS... : run MODULE.main() with Debian's python (console_scripts
# of nova/glance live in nova-common/glance-common, which we do not install).
mod=$1; shift
exec /usr/bin/python3 -c "import sys; sys.argv[0]='${mod}'; from ${mod} import main; sys.exit(main())" "$@"
OSBOX_EOF
cat > $BIN/wsgi-serve.py <<'OSBOX_EOF'
#!/usr/bin/python3
"""Tiny threaded WSGI server: wsgi-serve.py MODULE:FACTORY HOST PORT"""
import importlib, sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIServer, WSGIRequestHandler, make_server

class TServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 64

class Handler(WSGIRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.log_date_time_string(), fmt % args))

spec, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.argv = [sys.argv[0]]  # oslo.config in the apps parses sys.argv
mod, func = spec.split(':')
app = getattr(importlib.import_module(mod), func)()
srv = make_server(host, port, app, TServer, Handler)
sys.stderr.write("serving %s on %s:%d\n" % (spec, host, port)); sys.stderr.flush()
srv.serve_forever()
OSBOX_EOF
cat > $BIN/neutron-stub.py <<'OSBOX_EOF'
#!/usr/bin/python3
"""Minimal Neutron stand-in so Nova can boot/delete servers with networks=none.
Answers every list with an empty collection, DELETE with 204."""
import json, re, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class H(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def _send(self, code, body=None):
        data = b'' if body is None else json.dumps(body).encode()
        self.send_response(code)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)
    def do_GET(self):
        path = self.path.split('?')[0].rstrip('/')
        m = re.match(r'^(?:/v2\.0)?/([a-z0-9_-]+?)(?:\.json)?$', path)
        q = re.match(r'^(?:/v2\.0)?/quotas/[^/]+?(?:\.json)?$', path)
        if q:   # unlimited quotas (nova checks port quota when no networks are requested)
            self._send(200, {'quota': {k: -1 for k in ('port', 'network', 'subnet', 'router',
                             'floatingip', 'security_group', 'security_group_rule')}})
        elif m:
            coll = m.group(1).replace('-', '_')
            self._send(200, {coll: []})
        elif path in ('', '/v2.0'):
            self._send(200, {'resources': []})
        else:
            self._send(404, {'NeutronError': {'type': 'NotFound', 'message': 'osbox stub', 'detail': ''}})
    def do_DELETE(self):
        self._send(204)
    def _body(self):
        n = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(n) if n else b''
    def do_PUT(self):
        self._body(); self._send(404, {'NeutronError': {'type': 'NotFound', 'message': 'osbox stub', 'detail': ''}})
    do_POST = do_PUT
    def log_message(self, fmt, *args):
        sys.stderr.write("%s\n" % (fmt % args))

ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), H).serve_forever()
OSBOX_EOF
cat > $BIN/ks-setup.py <<'OSBOX_EOF'
#!/usr/bin/python3
"""Create service project/users/roles and catalog entries (idempotent-ish, fresh DB expected)."""
import os, sys
from keystoneauth1.identity import v3
from keystoneauth1 import session
from keystoneclient.v3 import client

url = os.environ['OSBOX_KS_URL']
pw = os.environ['OSBOX_PASSWORD']
s = session.Session(auth=v3.Password(auth_url=url, username='admin', password=pw,
                    project_name='admin', user_domain_id='default', project_domain_id='default'))
ks = client.Client(session=s, interface='public')
svc_project = ks.projects.create(name='service', domain='default')
admin_role = ks.roles.find(name='admin')
for name in ('nova', 'glance', 'placement'):
    u = ks.users.create(name=name, domain='default', password=pw)
    ks.roles.grant(admin_role, user=u, project=svc_project)
# role "service" is used by some default policies
try:
    ks.roles.create(name='service')
except Exception:
    pass
for name, stype, ep in (('nova', 'compute', os.environ['OSBOX_NOVA_EP']),
                        ('glance', 'image', os.environ['OSBOX_GLANCE_EP']),
                        ('placement', 'placement', os.environ['OSBOX_PLACEMENT_EP'])):
    svc = ks.services.create(name=name, type=stype)
    for iface in ('public', 'internal', 'admin'):
        ks.endpoints.create(service=svc, url=ep, interface=iface, region='RegionOne')
print("keystone setup done")
OSBOX_EOF
chmod +x $BIN/*

# ------------------------------------------------- paste ini files (not in python3-*)
X=$OSBOX_DIR/pkgx/x
if [ ! -f $X/usr/share/nova-common/api-paste.ini ] || [ ! -f $X/usr/share/glance-common/glance-api-paste.ini ]; then
  mkdir -p $OSBOX_DIR/pkgx
  ( cd $OSBOX_DIR/pkgx && apt-get download -q nova-common glance-common >/dev/null 2>&1 \
      && for f in nova-common_*.deb glance-common_*.deb; do dpkg-deb -x "$f" x; done )
fi

# ---------------------------------------------------------------- fresh state
if [ -d $S/pids ] && ls $S/pids/*.pid >/dev/null 2>&1; then
  echo "osbox seems to be running (pid files in $S/pids); run stop.sh first" >&2; exit 1
fi
rm -rf $S
mkdir -p $S/{etc/keystone,etc/glance,etc/placement,etc/nova,log,pids,rabbit,glance/images,glance/staging,glance/tasks,nova/instances,nova/lock}
cp $X/usr/share/nova-common/api-paste.ini $S/etc/nova/api-paste.ini
cp $X/usr/share/glance-common/glance-api-paste.ini $S/etc/glance/glance-api-paste.ini

authtoken() {  # $1 = service user
cat <<EOF
[keystone_authtoken]
www_authenticate_uri = http://$H:$KS_PORT
auth_url = http://$H:$KS_PORT
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $PW
service_token_roles_required = true
EOF
}
svcauth() {  # $1 = section name; admin creds, used by nova for placement/neutron/glance
cat <<EOF
[$1]
auth_type = password
auth_url = http://$H:$KS_PORT/v3
project_domain_name = Default
user_domain_name = Default
project_name = service
username = nova
password = $PW
region_name = RegionOne
EOF
}

cat > $S/etc/keystone/keystone.conf <<EOF
[DEFAULT]
log_file = $S/log/keystone.log
[database]
connection = $(db_url keystone)
[token]
provider = fernet
expiration = 86400
[fernet_tokens]
key_repository = $S/etc/keystone/fernet-keys
[fernet_receipts]
key_repository = $S/etc/keystone/fernet-keys
[credential]
key_repository = $S/etc/keystone/credential-keys
EOF

cat > $S/etc/glance/glance-api.conf <<EOF
[DEFAULT]
bind_host = $H
bind_port = $GLANCE_PORT
workers = 1
log_file = $S/log/glance-api.log
enabled_backends = fs:file
[database]
connection = $(db_url glance)
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = $S/glance/images/
[os_glance_staging_store]
filesystem_store_datadir = $S/glance/staging/
[os_glance_tasks_store]
filesystem_store_datadir = $S/glance/tasks/
[paste_deploy]
flavor = keystone
config_file = $S/etc/glance/glance-api-paste.ini
$(authtoken glance)
[oslo_concurrency]
lock_path = $S/glance
EOF

cat > $S/etc/placement/placement.conf <<EOF
[DEFAULT]
log_file = $S/log/placement.log
[api]
auth_strategy = keystone
[placement_database]
connection = $(db_url placement)
$(authtoken placement)
EOF

cat > $S/etc/nova/nova.conf <<EOF
[DEFAULT]
transport_url = $TRANSPORT
compute_driver = fake.FakeDriver
host = osbox
my_ip = $H
state_path = $S/nova
instances_path = $S/nova/instances
enabled_apis = osapi_compute
osapi_compute_listen = $H
osapi_compute_listen_port = $NOVA_PORT
osapi_compute_workers = 1
heal_instance_info_cache_interval = -1
# default random 0-60 s delay before periodic tasks start; 0 lets the scheduler
# map the new compute host (discover_hosts_in_cells_interval) within ~2 s
periodic_fuzzy_delay = 0
instance_usage_audit = false
# instance_build_timeout etc. left default
[api]
auth_strategy = keystone
[wsgi]
api_paste_config = $S/etc/nova/api-paste.ini
[api_database]
connection = $(db_url nova_api)
[database]
connection = $(db_url nova_cell1)
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = 2
[quota]
instances = 1000
cores = 100000
ram = 100000000
[vnc]
enabled = false
[oslo_concurrency]
lock_path = $S/nova/lock
[oslo_messaging_notifications]
driver = noop
$(authtoken nova)
$(svcauth placement)
$(svcauth neutron)
endpoint_override = http://$H:$NEUTRON_PORT
$(svcauth glance)
endpoint_override = http://$H:$GLANCE_PORT
EOF

# ---------------------------------------------------------------- helpers
start() {  # name, then command...; logs to $S/log/name.out
  local name=$1; shift
  setsid "$@" >$S/log/$name.out 2>&1 < /dev/null &
  echo $! > $S/pids/$name.pid
}
wait_http() {  # url, seconds
  local i
  for i in $(seq 1 $(( $2 * 5 ))); do
    if curl -s -o /dev/null --max-time 2 "$1"; then return 0; fi
    sleep 0.2
  done
  echo "timeout waiting for $1" >&2; return 1
}
nova_cmd() { local m=$1; shift; $BIN/py-entry nova.cmd.$m "$@"; }

# ---------------------------------------------------------------- rabbitmq
cat > $S/rabbit/rabbitmq.conf <<EOF
listeners.tcp.1 = $H:$RABBIT_PORT
default_user = osbox
default_pass = $PW
loopback_users = none
log.file.level = warning
EOF
echo '[].' > $S/rabbit/enabled_plugins
: > $S/rabbit/rabbitmq-env.conf
export RABBITMQ_CONF_ENV_FILE=$S/rabbit/rabbitmq-env.conf
export RABBITMQ_CONFIG_FILE=$S/rabbit/rabbitmq.conf
export RABBITMQ_ENABLED_PLUGINS_FILE=$S/rabbit/enabled_plugins
export RABBITMQ_MNESIA_BASE=$S/rabbit/mnesia
export RABBITMQ_LOG_BASE=$S/rabbit/log
export RABBITMQ_PID_FILE=$S/rabbit/rabbit.pid
export RABBITMQ_NODENAME=osbox@localhost
export RABBITMQ_NODE_IP_ADDRESS=$H
export RABBITMQ_NODE_PORT=$RABBIT_PORT
export RABBITMQ_DIST_PORT=$RABBIT_DIST_PORT
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export ERL_EPMD_ADDRESS=$H
export ERL_EPMD_PORT=$EPMD_PORT
export HOME=$S/rabbit         # erlang cookie goes here, not in /root or /var/lib/rabbitmq
ts "starting rabbitmq"
start epmd /usr/bin/epmd -address $H -port $EPMD_PORT
sleep 0.3
start rabbitmq /usr/lib/rabbitmq/bin/rabbitmq-server

# ---------------------------------------------------------------- database
if [ "$OSBOX_DB" = mariadb ]; then
  ts "initialising mariadb datadir"
  mkdir -p $S/mysql
  mariadb-install-db --no-defaults --datadir=$S/mysql/data --user=root \
      --auth-root-authentication-method=normal --skip-test-db >$S/log/mariadb-install.out 2>&1
  # socket only (--skip-networking): nothing listens on TCP at all
  start mariadb /usr/sbin/mariadbd --no-defaults --datadir=$S/mysql/data --socket=$S/mysql/mysql.sock \
      --skip-networking --user=root --pid-file=$S/mysql/mariadb.pid --log-error=$S/log/mariadb.err \
      --skip-log-bin --innodb-buffer-pool-size=128M --innodb-log-file-size=64M \
      --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --max-connections=1000 \
      --character-set-server=utf8 --collation-server=utf8_general_ci
  for i in $(seq 1 150); do mariadb-admin -S $S/mysql/mysql.sock ping >/dev/null 2>&1 && break; sleep 0.2; done
  mariadb -S $S/mysql/mysql.sock -e "CREATE DATABASE keystone; CREATE DATABASE glance; CREATE DATABASE placement;
      CREATE DATABASE nova_api; CREATE DATABASE nova_cell0; CREATE DATABASE nova_cell1;"
  ts "mariadb up"
fi

# ---------------------------------------------------------------- neutron stub
start neutron-stub $PY $BIN/neutron-stub.py $H $NEUTRON_PORT

# ---------------------------------------------------------------- keystone
ts "keystone db_sync + bootstrap"
KM="keystone-manage --config-file $S/etc/keystone/keystone.conf"
$KM db_sync
$KM fernet_setup --keystone-user root --keystone-group root
$KM credential_setup --keystone-user root --keystone-group root
$KM bootstrap --bootstrap-password $PW --bootstrap-admin-url $KS_URL \
  --bootstrap-public-url $KS_URL --bootstrap-internal-url $KS_URL --bootstrap-region-id RegionOne
OS_KEYSTONE_CONFIG_DIR=$S/etc/keystone start keystone $PY $BIN/wsgi-serve.py keystone.server.wsgi:initialize_public_application $H $KS_PORT

# ---------------------------------------------------------------- DB syncs (parallel with keystone start)
ts "glance/placement/nova db sync"
( $BIN/py-entry glance.cmd.manage --config-file $S/etc/glance/glance-api.conf db_sync >$S/log/glance-dbsync.out 2>&1 ) &
p_g=$!
( OS_PLACEMENT_CONFIG_DIR=$S/etc/placement placement-manage --config-file $S/etc/placement/placement.conf db sync >$S/log/placement-dbsync.out 2>&1 ) &
p_p=$!
NC="--config-file $S/etc/nova/nova.conf"
( nova_cmd manage $NC api_db sync &&
  nova_cmd manage $NC cell_v2 map_cell0 --database_connection "$(db_url nova_cell0)" &&
  nova_cmd manage $NC cell_v2 create_cell --name cell1 --verbose &&
  nova_cmd manage $NC db sync ) >$S/log/nova-dbsync.out 2>&1 &
p_n=$!

wait_http http://$H:$KS_PORT/v3 60
ts "keystone up"
OSBOX_KS_URL=$KS_URL OSBOX_PASSWORD=$PW \
OSBOX_NOVA_EP=http://$H:$NOVA_PORT/v2.1 OSBOX_GLANCE_EP=http://$H:$GLANCE_PORT \
OSBOX_PLACEMENT_EP=http://$H:$PLACEMENT_PORT $PY $BIN/ks-setup.py
ts "keystone users/endpoints created"

wait $p_g || { cat $S/log/glance-dbsync.out; exit 1; }
wait $p_p || { cat $S/log/placement-dbsync.out; exit 1; }
wait $p_n || { cat $S/log/nova-dbsync.out; exit 1; }
ts "db sync done"

start glance-api $BIN/py-entry glance.cmd.api --config-file $S/etc/glance/glance-api.conf
OS_PLACEMENT_CONFIG_DIR=$S/etc/placement start placement-api $PY $BIN/wsgi-serve.py placement.wsgi:init_application $H $PLACEMENT_PORT

# wait for rabbit before nova services
for i in $(seq 1 150); do
  (exec 3<>/dev/tcp/$H/$RABBIT_PORT) 2>/dev/null && break; sleep 0.2
done
ts "rabbitmq up"
start nova-conductor $BIN/py-entry nova.cmd.conductor $NC
start nova-scheduler $BIN/py-entry nova.cmd.scheduler $NC
start nova-api $BIN/py-entry nova.cmd.api $NC
wait_http http://$H:$PLACEMENT_PORT/ 60
ts "placement up"
awk '/^\[/{skip=($0=="[api_database]"||$0=="[database]")} !skip' $S/etc/nova/nova.conf > $S/etc/nova/nova-compute.conf
start nova-compute $BIN/py-entry nova.cmd.compute --config-file $S/etc/nova/nova-compute.conf
wait_http http://$H:$GLANCE_PORT/versions 90
ts "glance up"
wait_http http://$H:$NOVA_PORT/ 90
ts "nova-api up"

# wait until the compute node is mapped into cell1 (the scheduler's periodic
# discover_hosts_in_cells_interval=2 does the mapping; we also run it once).
host_mapped() {
  if [ "$OSBOX_DB" = mariadb ]; then
    mariadb -S $S/mysql/mysql.sock -N -e "SELECT host FROM nova_api.host_mappings" 2>/dev/null | grep -qx osbox
  else
    $PY -c "import sqlite3,sys; c=sqlite3.connect('$S/nova_api.sqlite'); sys.exit(0 if c.execute(\"select 1 from host_mappings where host='osbox'\").fetchone() else 1)" 2>/dev/null
  fi
}
for i in $(seq 1 300); do host_mapped && break; sleep 0.5; done
host_mapped || { nova_cmd manage $NC cell_v2 discover_hosts --verbose; host_mapped; }
ts "compute host discovered"

cat > $S/openrc <<EOF
export OS_AUTH_URL=$KS_URL
export OS_IDENTITY_API_VERSION=3
export OS_USERNAME=admin
export OS_PASSWORD=$PW
export OS_PROJECT_NAME=admin
export OS_USER_DOMAIN_NAME=Default
export OS_PROJECT_DOMAIN_NAME=Default
export OS_REGION_NAME=RegionOne
EOF
ts "osbox ready: source $S/openrc ; keystone $KS_URL, nova http://$H:$NOVA_PORT/v2.1"
