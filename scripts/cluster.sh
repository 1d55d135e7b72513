#!/usr/bin/env bash
# `npm run cluster -- up|down|status`: a real Temporal server on PostgreSQL, on loopback, for running the
# bridge past the dev server (docs/deployment.md). Opt-in: `npm test` never needs it.
#
# up:     builds the Temporal server and its SQL tool with `go install` at a pinned version (once, into the
#         git-ignored .tools/cluster/), installs Debian's PostgreSQL with apt-get when missing, creates a
#         PostgreSQL cluster of its own (port BYOI_CLUSTER_PG_PORT, default 55432) with the temporal and
#         temporal_visibility databases and their schemas, starts the server with 8 history shards and a
#         dynamic-config file (frontend on BYOI_CLUSTER_PORT, default 17233), creates the default namespace
#         and registers the bridge's search attributes.
# down:   stops the server and the PostgreSQL cluster (the data stays in .data/cluster/ and PostgreSQL's).
# status: says what runs.
# namespace <name> [retention]: creates a namespace with the bridge's search attributes (the bench's per run).
# describe: prints the server's address and the server's and PostgreSQL's process ids as JSON.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

server_version=v1.31.2
shards=8
frontend_port=${BYOI_CLUSTER_PORT:-17233}
address=127.0.0.1:$frontend_port
pg_port=${BYOI_CLUSTER_PG_PORT:-55432}
pg_cluster=byoi-temporal
tools=$root/.tools/cluster
bin=$tools/bin/$server_version
state=$root/.data/cluster
temporal_cli=$root/.tools/venv/bin/temporal

say() { echo "cluster: $*"; }
die() {
  echo "cluster: $*" >&2
  exit 1
}

as_root() {
  if [[ $(id -u) == 0 ]]; then "$@"; elif sudo -n true 2>/dev/null; then sudo -n "$@"; else
    die "needs root (or password-less sudo) for: $*"
  fi
}

pg_version() { ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1; }

pg_cluster_exists() { pg_lsclusters -h 2>/dev/null | awk '{print $2}' | grep -qx "$pg_cluster"; }

provision_server() {
  if [[ -x $bin/temporal-server && -x $bin/temporal-sql-tool ]]; then return; fi
  command -v go >/dev/null 2>&1 || die "Go is needed to build the Temporal server (go install)"
  say "building the Temporal server and SQL tool $server_version with go install (minutes, once)"
  mkdir -p "$bin"
  GOBIN=$bin go install "go.temporal.io/server/cmd/server@$server_version"
  GOBIN=$bin go install "go.temporal.io/server/cmd/tools/sql@$server_version"
  mv "$bin/server" "$bin/temporal-server"
  mv "$bin/sql" "$bin/temporal-sql-tool"
}

schema_dir() { echo "$(go env GOMODCACHE)/go.temporal.io/server@$server_version/schema/postgresql/v12"; }

provision_postgres() {
  if [[ -z $(pg_version) ]]; then
    say "installing Debian's PostgreSQL with apt-get"
    as_root sh -c 'apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null'
  fi
  local version
  version=$(pg_version)
  if ! pg_cluster_exists; then
    say "creating PostgreSQL $version cluster $pg_cluster on 127.0.0.1:$pg_port"
    as_root pg_createcluster "$version" "$pg_cluster" -p "$pg_port" -- --auth-host=scram-sha-256 --auth-local=peer >/dev/null
    as_root sh -c "echo \"listen_addresses = '127.0.0.1'\" >> /etc/postgresql/$version/$pg_cluster/postgresql.conf"
  fi
  as_root pg_ctlcluster "$version" "$pg_cluster" start 2>/dev/null || true
  mkdir -p "$state"
  if [[ ! -s $state/postgres.password ]]; then
    (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$state/postgres.password")
  fi
  local password
  password=$(cat "$state/postgres.password")
  as_root runuser -u postgres -- psql -q -p "$pg_port" -v ON_ERROR_STOP=1 -c \
    "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'temporal') THEN CREATE ROLE temporal LOGIN CREATEDB; END IF; END \$\$; ALTER ROLE temporal PASSWORD '$password';" >/dev/null
}

sql_tool() { # $1 database, then the command
  local database=$1
  shift
  SQL_PASSWORD=$(cat "$state/postgres.password") "$bin/temporal-sql-tool" --plugin postgres12 --ep 127.0.0.1 \
    -p "$pg_port" -u temporal --db "$database" "$@"
}

setup_schemas() {
  local schemas
  schemas=$(schema_dir)
  [[ -d $schemas ]] || die "no schema files at $schemas (go install should have fetched them)"
  for database in temporal temporal_visibility; do
    local folder=temporal
    [[ $database == temporal_visibility ]] && folder=visibility
    sql_tool "$database" create-database >/dev/null 2>&1 || true
    sql_tool "$database" setup-schema -v 0.0 >/dev/null 2>&1 || true
    local output
    output=$(sql_tool "$database" update-schema -d "$schemas/$folder/versioned" 2>&1) || die "schema update of $database failed:
$output"
  done
  say "schemas of temporal and temporal_visibility up to date"
}

write_config() {
  mkdir -p "$state/config/dynamicconfig"
  local password
  password=$(cat "$state/postgres.password")
  # The server reads its password from this file: readable by its owner only.
  (umask 077 && cat >"$state/config/development.yaml" <<EOF
log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: $shards
  datastores:
    postgres-default:
      sql:
        pluginName: postgres12
        databaseName: temporal
        connectAddr: 127.0.0.1:$pg_port
        connectProtocol: tcp
        user: temporal
        password: "$password"
        maxConns: 40
        maxIdleConns: 40
        maxConnLifetime: 1h
    postgres-visibility:
      sql:
        pluginName: postgres12
        databaseName: temporal_visibility
        connectAddr: 127.0.0.1:$pg_port
        connectProtocol: tcp
        user: temporal
        password: "$password"
        maxConns: 10
        maxIdleConns: 10
        maxConnLifetime: 1h
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
  metrics:
    prometheus:
      framework: tally
      timerType: histogram
      listenAddress: 127.0.0.1:$((frontend_port + 767))
services:
  frontend:
    rpc: { grpcPort: $frontend_port, membershipPort: $((frontend_port + 100)), bindOnLocalHost: true, httpPort: $((frontend_port + 10)) }
  matching:
    rpc: { grpcPort: $((frontend_port + 2)), membershipPort: $((frontend_port + 102)), bindOnLocalHost: true }
  history:
    rpc: { grpcPort: $((frontend_port + 1)), membershipPort: $((frontend_port + 101)), bindOnLocalHost: true }
  worker:
    rpc: { grpcPort: $((frontend_port + 6)), membershipPort: $((frontend_port + 106)), bindOnLocalHost: true }
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: $address
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: $state/config/dynamicconfig/development.yaml
  pollInterval: 10s
EOF
  )
  cat >"$state/config/dynamicconfig/development.yaml" <<'EOF'
# The bridge's search attributes are Keyword and Text: up to these many a namespace.
limit.numberOfSearchAttributes:
  - value: { Keyword: 20, Text: 5, Int: 5, Double: 5, Bool: 5, Datetime: 5, KeywordList: 5 }
frontend.enableUpdateWorkflowExecution:
  - value: true
frontend.workerVersioningWorkflowAPIs:
  - value: true
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
EOF
}

server_pid() { [[ -f $state/server.pid ]] && kill -0 "$(cat "$state/server.pid")" 2>/dev/null && cat "$state/server.pid"; }

start_server() {
  if server_pid >/dev/null; then
    say "Temporal server already running (pid $(server_pid))"
  else
    launch_server
  fi
  register_namespace default 72h
}

launch_server() {
  say "starting the Temporal server $server_version ($shards history shards) on $address"
  nohup "$bin/temporal-server" --config-file "$state/config/development.yaml" --allow-no-auth start \
    >>"$state/server.log" 2>&1 &
  echo $! >"$state/server.pid"
  for _ in $(seq 1 120); do
    if "$temporal_cli" operator cluster health --address "$address" >/dev/null 2>&1; then return; fi
    server_pid >/dev/null || die "the server exited; the end of $state/server.log:
$(tail -20 "$state/server.log")"
    sleep 1
  done
  die "the server did not answer within 2 minutes; see $state/server.log"
}

register_namespace() { # $1 name, $2 retention
  local namespace=$1
  if ! "$temporal_cli" operator namespace describe -n "$namespace" --address "$address" >/dev/null 2>&1; then
    "$temporal_cli" operator namespace create -n "$namespace" --retention "$2" --address "$address" >/dev/null
    say "namespace $namespace created (retention $2)"
  fi
  # A namespace just created takes a few seconds to reach every service: retried until it answers.
  local attributes existing args=(unlisted) output="the search attributes could not be listed"
  attributes=$(node --import tsx scripts/search-attributes.ts)
  for _ in $(seq 1 60); do
    if existing=$("$temporal_cli" operator search-attribute list -n "$namespace" --address "$address" 2>&1); then
      args=()
      for attribute in $attributes; do
        grep -qw "${attribute%%=*}" <<<"$existing" || args+=(--name "${attribute%%=*}" --type "${attribute#*=}")
      done
      ((${#args[@]} == 0)) && break
      output=$("$temporal_cli" operator search-attribute create -n "$namespace" --address "$address" \
        "${args[@]}" 2>&1) || true
    fi
    sleep 1
  done
  ((${#args[@]} == 0)) || die "could not register the search attributes: $output"
  say "search attributes of $namespace registered: $(echo $attributes)"
}

case "${1:-}" in
  up)
    [[ -x $temporal_cli ]] || bash scripts/setup.sh
    provision_server
    provision_postgres
    setup_schemas
    write_config
    start_server
    say "ready: TEMPORAL_ADDRESS=$address (state and log in $state)"
    ;;
  down)
    if pid=$(server_pid); then
      kill "$pid"
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      kill -9 "$pid" 2>/dev/null || true
      say "Temporal server stopped"
    fi
    rm -f "$state/server.pid"
    if [[ -n $(pg_version) ]] && pg_cluster_exists; then
      as_root pg_ctlcluster "$(pg_version)" "$pg_cluster" stop 2>/dev/null || true
      say "PostgreSQL cluster $pg_cluster stopped"
    fi
    ;;
  namespace)
    # A namespace of its own with the bridge's search attributes (the bench makes one per run).
    [[ -n ${2:-} ]] || die "usage: npm run cluster -- namespace <name> [retention, default 24h]"
    server_pid >/dev/null || die "the Temporal server is not running: npm run cluster -- up"
    register_namespace "$2" "${3:-24h}"
    ;;
  describe)
    # For the bench: where the server answers and the processes whose CPU is the cluster's.
    server=$(server_pid) || die "the Temporal server is not running: npm run cluster -- up"
    postgres=$(head -1 "/var/run/postgresql/$(pg_version)-$pg_cluster.pid" 2>/dev/null) ||
      die "the PostgreSQL cluster $pg_cluster is not running: npm run cluster -- up"
    echo "{\"address\":\"$address\",\"serverPid\":$server,\"postgresPid\":$postgres,\"shards\":$shards,\"version\":\"$server_version\"}"
    ;;
  status)
    if pid=$(server_pid); then say "Temporal server running (pid $pid) on $address"; else say "Temporal server not running"; fi
    pg_lsclusters 2>/dev/null | grep "$pg_cluster" || say "no PostgreSQL cluster $pg_cluster"
    ;;
  *)
    die "usage: npm run cluster -- up|down|status|namespace <name>|describe"
    ;;
esac
