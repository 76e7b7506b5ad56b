#!/usr/bin/env bash
# Portico vs node-oidc-provider, side by side, in one command. See BENCHMARKS.md.
#
#   bench/run.sh                 # full run (builds, installs the peer and wrk, runs every scenario)
#   BENCH_SECONDS=5 bench/run.sh # shorter measured runs (default 10 s per scenario and server)
#
# Environment:
#   BENCH_SECONDS      measured seconds per scenario and server (default 10)
#   BENCH_WARMUP       warm-up seconds before each measurement (default 2)
#   BENCH_CONNECTIONS  wrk connections (default 16; one wrk thread)
#   BENCH_FLOW_CONC    concurrent browsers in the login-flow driver (default 8)
#   BENCH_PG_URL       PostgreSQL server URL without database (default postgres://postgres@127.0.0.1:5432);
#                      empty string skips the PostgreSQL rows
#   BENCH_SERVER_CPU / BENCH_LOAD_CPU   cores for the servers / the load generator (default 0 / 1)
#   BENCH_SKIP_BUILD=1 skip cargo build and npm ci (use what is there)
#   BENCH_PORTICO_BIN  a prebuilt portico binary to measure instead of target/release/portico
#   BENCH_OUT          where the table is written as well as printed (default bench/last-run.md)
#   BENCH_PERF=REGEX   also profile Portico with `perf record` during the measured run of every
#                      scenario whose name matches REGEX (grep -E); flat reports are written to
#                      bench/perf-<scenario>.txt (gitignored). Profiling costs some throughput.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECS=${BENCH_SECONDS:-10}
WARM=${BENCH_WARMUP:-2}
CONNS=${BENCH_CONNECTIONS:-16}
FLOW_CONC=${BENCH_FLOW_CONC:-8}
PG_URL=${BENCH_PG_URL-postgres://postgres@127.0.0.1:5432}
SCPU=${BENCH_SERVER_CPU:-0}
LCPU=${BENCH_LOAD_CPU:-1}
OUT=${BENCH_OUT:-$ROOT/bench/last-run.md}
ADMIN_USER=bench-admin@bench.test
ADMIN_PASS='Bench-Admin-Passw0rd!'
PEER_SECRET=bench-secret-0123456789abcdef0123456789abcdef
TMP=$(mktemp -d /tmp/portico-bench.XXXXXX)
PIDS=()
PG_DB=portico_bench

log() { printf '[bench] %s\n' "$*" >&2; }

cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$PG_URL" ] && command -v psql >/dev/null; then
    psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------
# 1. Build and install, all by package name.
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  if [ -z "${BENCH_PORTICO_BIN:-}" ]; then
    log "cargo build --release -p portico"
    cargo build --release -p portico >&2
  fi
  log "npm ci (node-oidc-provider) in bench/peer"
  (cd bench/peer && npm ci --no-audit --no-fund >&2)
fi
[ -d bench/peer/node_modules/oidc-provider ] || (cd bench/peer && npm ci --no-audit --no-fund >&2)
if ! command -v wrk >/dev/null; then
  log "installing wrk (Debian package)"
  apt-get install -y wrk >&2 || { apt-get update >&2 && apt-get install -y wrk >&2; }
fi
for tool in wrk node curl jq taskset openssl; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done
BIN=${BENCH_PORTICO_BIN:-$ROOT/target/release/portico}
WRK_LUA=$ROOT/bench/wrk/bench.lua

# ---------------------------------------------------------------------------------------------
# Helpers.
now_ns() { date +%s%N; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hwm_mb() { awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
CLK_TCK=$(getconf CLK_TCK)

# start_portico NAME DATABASE_URL -> sets P_URL[NAME], P_PID[NAME], STARTUP_MS (exec to /readyz 200)
declare -A P_URL P_PID
STARTUP_MS=0
start_portico() {
  local name=$1 db=$2 logf=$TMP/portico-$1.log t0 url=""
  t0=$(now_ns)
  PORTICO_ADMIN_USERNAME=$ADMIN_USER PORTICO_ADMIN_PASSWORD=$ADMIN_PASS \
    taskset -c "$SCPU" "$BIN" serve --listen 127.0.0.1:0 --database-url "$db" --allow-password-flow \
    --rate-limit-per-minute 10000000 >"$logf" 2>&1 &
  P_PID[$name]=$!
  PIDS+=("$!")
  for _ in $(seq 1 4000); do
    url=$(grep -o 'listening on http://[0-9.:]*' "$logf" 2>/dev/null | head -1 | sed 's/listening on //') || true
    if [ -n "$url" ] && curl -sf -o /dev/null "$url/readyz"; then break; fi
    url=""
    sleep 0.002
  done
  [ -n "$url" ] || { cat "$logf" >&2; echo "portico $name did not start" >&2; exit 1; }
  STARTUP_MS=$(( ($(now_ns) - t0) / 1000000 ))
  P_URL[$name]=$url
}
stop_portico() { kill "${P_PID[$1]}" 2>/dev/null || true; wait "${P_PID[$1]}" 2>/dev/null || true; }

declare -A N_URL N_PID
start_peer() {
  local name=$1 port=$2 mode=$3
  (cd bench/peer && exec taskset -c "$SCPU" node server.mjs "$port" "$mode" >"$TMP/peer-$name.log" 2>&1) &
  N_PID[$name]=$!
  PIDS+=("$!")
  N_URL[$name]=http://127.0.0.1:$port
  for _ in $(seq 1 400); do curl -sf -o /dev/null "${N_URL[$name]}/.well-known/openid-configuration" && return 0; sleep 0.05; done
  cat "$TMP/peer-$name.log" >&2; echo "peer $name did not start" >&2; exit 1
}

# api METHOD URL TOKEN [JSON]
api() {
  local args=(-sS -X "$1" "$2" -H "Authorization: Bearer $3" -H 'Accept: application/json')
  [ $# -ge 4 ] && args+=(-H 'Content-Type: application/json' --data "$4")
  curl "${args[@]}"
}

# configure_portico NAME: admin token, API-only run-as user, Bench (opaque), BenchJwt (JWT access
# tokens) and BenchBearer (JWT bearer, admin-approved) apps; one user login through the Bench app
# for refresh / UserInfo tokens; a client_credentials token for introspection.
declare -A P_KEY P_SECRET P_JWTKEY P_JWTSECRET P_ADMIN P_RT P_UAT P_CCT P_BEARERKEY
configure_portico() {
  local name=$1 url=${P_URL[$1]} tok profiles api_profile admin_profile uid app
  tok=$(curl -sS "$url/services/oauth2/token" -d grant_type=password -d client_id=PorticoCLI \
    --data-urlencode "username=$ADMIN_USER" --data-urlencode "password=$ADMIN_PASS" | jq -r .access_token)
  [ -n "$tok" ] && [ "$tok" != null ] || { echo "admin password grant failed on $name" >&2; exit 1; }
  P_ADMIN[$name]=$tok
  profiles=$(api GET "$url/api/v1/profiles" "$tok")
  api_profile=$(jq -r '.[] | select(.name == "ApiOnlyUser") | .id' <<<"$profiles")
  admin_profile=$(jq -r '.[] | select(.name == "SystemAdministrator") | .label' <<<"$profiles" | head -1)
  uid=$(api POST "$url/api/v1/users" "$tok" \
    "{\"username\":\"api@bench.test\",\"email\":\"api@bench.test\",\"lastName\":\"Bench\",\"profileId\":\"$api_profile\"}" | jq -r .id)
  app=$(api POST "$url/api/v1/connected-apps" "$tok" '{"fullName":"Bench","label":"Bench","contactEmail":"b@bench.test","oauthConfig":{"callbackUrl":"https://bench.test/cb","scopes":["Api","RefreshToken","OpenID"],"isClientCredentialEnabled":true,"oauthClientCredentialUser":"api@bench.test"}}')
  P_KEY[$name]=$(jq -r .consumerKey <<<"$app"); P_SECRET[$name]=$(jq -r .consumerSecret <<<"$app")
  [ "${P_KEY[$name]}" != null ] || { echo "creating the Bench app failed on $name: $app (user $uid)" >&2; exit 1; }
  app=$(api POST "$url/api/v1/connected-apps" "$tok" '{"fullName":"BenchJwt","label":"BenchJwt","contactEmail":"b@bench.test","oauthConfig":{"callbackUrl":"https://bench.test/cb","scopes":["Api","RefreshToken","OpenID"],"isClientCredentialEnabled":true,"oauthClientCredentialUser":"api@bench.test","isNamedUserJwtEnabled":true}}')
  P_JWTKEY[$name]=$(jq -r .consumerKey <<<"$app"); P_JWTSECRET[$name]=$(jq -r .consumerSecret <<<"$app")
  # JWT bearer: an admin-approved app holding our certificate, pre-authorized for the admin's profile.
  local cert
  cert=$(jq -Rs . <"$TMP/bearer.crt")
  app=$(api POST "$url/api/v1/connected-apps" "$tok" "{\"fullName\":\"BenchBearer\",\"label\":\"BenchBearer\",\"contactEmail\":\"b@bench.test\",\"profileName\":[\"$admin_profile\"],\"oauthConfig\":{\"callbackUrl\":\"https://bench.test/cb\",\"scopes\":[\"Api\"],\"certificate\":$cert,\"isAdminApproved\":true}}")
  P_BEARERKEY[$name]=$(jq -r .consumerKey <<<"$app")
  # A user token (refresh + access) through the real web server flow with the Bench app.
  local flow
  flow=$(node bench/flow.mjs --once --authorize "$url/services/oauth2/authorize" --token "$url/services/oauth2/token" \
    --client-id "${P_KEY[$name]}" --client-secret "${P_SECRET[$name]}" --redirect-uri https://bench.test/cb \
    --scope "api refresh_token openid" --user "$ADMIN_USER" --password "$ADMIN_PASS")
  P_RT[$name]=$(jq -r .refresh_token <<<"$flow"); P_UAT[$name]=$(jq -r .access_token <<<"$flow")
  P_CCT[$name]=$(curl -sS -u "${P_KEY[$name]}:${P_SECRET[$name]}" "$url/services/oauth2/token" -d grant_type=client_credentials | jq -r .access_token)
  # First consent for PorticoCLI (the login-flow scenario then skips the consent page).
  node bench/flow.mjs --once --authorize "$url/services/oauth2/authorize" --token "$url/services/oauth2/token" \
    --client-id PorticoCLI --redirect-uri http://localhost:1717/OauthRedirect --scope "api openid" \
    --user "$ADMIN_USER" --password "$ADMIN_PASS" >/dev/null
}

# The peer's tokens are fetched just before the scenario that uses them: its default in-memory
# adapter is an LRU of 1000 entries, so a token issued before a few thousand others is forgotten.
declare -A N_RT N_UAT N_CCT
peer_cc_token() {
  N_CCT[opaque]=$(curl -sS -u "bench-basic:$PEER_SECRET" "${N_URL[opaque]}/token" -d grant_type=client_credentials | jq -r .access_token)
}
peer_user_tokens() {
  local url=${N_URL[opaque]} flow
  flow=$(node bench/flow.mjs --once --authorize "$url/auth" --token "$url/token" --client-id bench-basic \
    --client-secret "$PEER_SECRET" --redirect-uri https://bench.test/cb --scope "openid offline_access" \
    --extra prompt=consent --user alice --password x)
  N_RT[opaque]=$(jq -r .refresh_token <<<"$flow"); N_UAT[opaque]=$(jq -r .access_token <<<"$flow")
}

# measure PID URL ENV... (BENCH_METHOD/BODY/AUTH/TOKENS for wrk) -> "rps p50 p99 cpu% hwm non2xx"
measure() {
  local pid=$1 url=$2 t0 t1 res secs
  shift 2
  # No warm-up for the token-pool scenario: it would use up the pre-issued tokens (the pool's
  # issuing run just before warmed the server up).
  case " $* " in *" BENCH_TOKENS="*) ;; *)
    env "$@" taskset -c "$LCPU" wrk -t1 -c"$CONNS" -d"${WARM}s" -s "$WRK_LUA" "$url" >/dev/null 2>&1 || true ;;
  esac
  t0=$(cpu_ticks "$pid")
  res=$(env "$@" taskset -c "$LCPU" wrk -t1 -c"$CONNS" -d"${SECS}s" -s "$WRK_LUA" "$url" 2>&1 | sed -n 's/^WRKJSON //p')
  t1=$(cpu_ticks "$pid")
  [ -n "$res" ] || res='{"rps":0,"p50_ms":0,"p99_ms":0,"non2xx":-1,"seconds":1}'
  secs=$(jq -r .seconds <<<"$res")
  jq -r --arg cpu "$(awk -v d=$((t1 - t0)) -v hz="$CLK_TCK" -v s="$secs" 'BEGIN {printf "%.0f", 100 * d / hz / s}')" \
    --arg hwm "$(hwm_mb "$pid")" '"\(.rps) \(.p50_ms) \(.p99_ms) \($cpu) \($hwm) \(.non2xx)"' <<<"$res"
}

ROWS=()
# row SCENARIO "portico result" "peer result"   (result = "rps p50 p99 cpu hwm non2xx" or "-")
row() {
  local name=$1 p=$2 n=$3
  ROWS+=("$(awk -v name="$name" -v p="$p" -v n="$n" 'BEGIN {
    np = split(p, a, " "); nn = split(n, b, " ");
    # CPU per request (µs; ms for logins): server CPU time / completed requests.
    unit = (name ~ /logins/) ? 1000 : 1;
    pcpu = (np >= 6 && a[1] > 0) ? a[4] * 10000 / a[1] / unit : 0;
    ncpu = (nn >= 6 && b[1] > 0) ? b[4] * 10000 / b[1] / unit : 0;
    pc = (np >= 6) ? sprintf("%.0f | %.2f | %.2f | %s%% | %.0f | %s", a[1], a[2], a[3], a[4], pcpu, a[5]) : "- | - | - | - | - | -";
    nc = (nn >= 6) ? sprintf("%.0f | %.2f | %.2f | %s%% | %.0f | %s", b[1], b[2], b[3], b[4], ncpu, b[5]) : "- | - | - | - | - | -";
    ratio = (np >= 6 && nn >= 6 && b[1] > 0) ? sprintf("%.2f×", a[1] / b[1]) : "-";
    cratio = (np >= 6 && nn >= 6 && pcpu > 0) ? sprintf("%.2f×", ncpu / pcpu) : "-";
    bad = "";
    if (np >= 6 && a[6] != 0) bad = bad sprintf(" (Portico non-2xx: %s)", a[6]);
    if (nn >= 6 && b[6] != 0) bad = bad sprintf(" (peer non-2xx: %s)", b[6]);
    printf "| %s%s | %s | %s | %s | %s |", name, bad, pc, nc, ratio, cratio }')")
  log "${ROWS[-1]}"
}

# scenario NAME PORTICO_NAME PORTICO_PATH PEER_NAME PEER_PATH, with the wrk environment of each
# side in the P_ENV / N_ENV arrays (KEY=VALUE ...). Portico first, then the peer.
# probe URL ENV...: one request like wrk's; logs the answer when it is not 2xx (a misconfigured
# scenario would otherwise measure error responses).
probe() {
  local url=$1 method=GET body="" auth="" kv code
  shift
  for kv in "$@"; do
    case $kv in
      BENCH_METHOD=*) method=${kv#*=} ;; BENCH_BODY=*) body=${kv#*=} ;; BENCH_AUTH=*) auth=${kv#*=} ;;
      BENCH_TOKENS=*) return 0 ;;
    esac
  done
  local args=(-sS -o "$TMP/probe.out" -w '%{http_code}' -X "$method" "$url")
  [ -n "$auth" ] && args+=(-H "Authorization: $auth")
  [ "$method" = POST ] && args+=(-H 'Content-Type: application/x-www-form-urlencoded' --data "$body")
  code=$(curl "${args[@]}" 2>/dev/null) || true
  case $code in 2*) ;; *) log "probe $url answered HTTP $code: $(head -c 300 "$TMP/probe.out")" ;; esac
}

scenario() {
  local name=$1 pname=$2 ppath=$3 nname=$4 npath=$5 p n=- perf_pid="" slug
  probe "${P_URL[$pname]}$ppath" "${P_ENV[@]}"
  [ "$nname" = - ] || probe "${N_URL[$nname]}$npath" "${N_ENV[@]}"
  if [ -n "${BENCH_PERF:-}" ] && grep -qE -- "$BENCH_PERF" <<<"$name" && command -v perf >/dev/null; then
    slug=$(tr -c 'A-Za-z0-9' '-' <<<"$name" | tr -s '-' | sed 's/-$//')
    # Starts after the warm-up and covers the measured run.
    (sleep "$WARM"; exec perf record -F 999 -o "$TMP/perf-$slug.data" -p "${P_PID[$pname]}" -- sleep "$SECS") >/dev/null 2>&1 &
    perf_pid=$!
  fi
  p=$(measure "${P_PID[$pname]}" "${P_URL[$pname]}$ppath" "${P_ENV[@]}")
  if [ -n "$perf_pid" ]; then
    wait "$perf_pid" || true
    perf report -i "$TMP/perf-$slug.data" --stdio --sort comm,dso,sym --percent-limit 0.5 2>/dev/null \
      | grep -E '^ +[0-9]' >"$ROOT/bench/perf-$slug.txt" || true
    log "perf profile: bench/perf-$slug.txt"
  fi
  if [ "$nname" != - ]; then n=$(measure "${N_PID[$nname]}" "${N_URL[$nname]}$npath" "${N_ENV[@]}"); fi
  row "$name" "$p" "$n"
}

basic() { printf 'Basic %s' "$(printf '%s:%s' "$1" "$2" | base64 -w0)"; }

# pool FILE URL AUTH BODY: pre-issue access tokens for the revocation scenario (BENCH_SECONDS of
# client_credentials with wrk collecting every access_token); prints how many.
pool() {
  local file=$1 url=$2 auth=$3 body=$4
  : >"$file"
  BENCH_METHOD=POST BENCH_BODY=$body BENCH_AUTH=$auth BENCH_COLLECT=$file \
    taskset -c "$LCPU" wrk -t1 -c"$CONNS" -d"${SECS}s" -s "$WRK_LUA" "$url" >/dev/null 2>&1
  wc -l <"$file"
}

# ---------------------------------------------------------------------------------------------
# 2. Start and configure both servers.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/bearer.key" -out "$TMP/bearer.crt" -days 2 \
  -subj /CN=bench-bearer >/dev/null 2>&1
SQLITE_DB=$TMP/portico.db
log "starting Portico on SQLite ($TMP/portico.db) and node-oidc-provider (opaque + jwt)"
start_portico sqlite "$SQLITE_DB"; first_start_ms=$STARTUP_MS
configure_portico sqlite
# Start-up to ready on an existing database: stop, start again on the same file (twice).
stop_portico sqlite; start_portico sqlite "$SQLITE_DB"; startup_ms=$STARTUP_MS
stop_portico sqlite; start_portico sqlite "$SQLITE_DB"; startup3_ms=$STARTUP_MS
sleep 1
portico_idle_rss=$(rss_mb "${P_PID[sqlite]}")
start_peer opaque 39701 opaque
start_peer jwt 39702 jwt
sleep 1
peer_idle_rss=$(rss_mb "${N_PID[opaque]}")

PK=${P_KEY[sqlite]} PS=${P_SECRET[sqlite]}
PB=$(basic "$PK" "$PS"); NB=$(basic bench-basic "$PEER_SECRET")
PJB=$(basic "${P_JWTKEY[sqlite]}" "${P_JWTSECRET[sqlite]}")
CC=grant_type=client_credentials

# ---------------------------------------------------------------------------------------------
# 3. Scenarios, Portico then peer for each.
log "measuring: ${SECS}s per scenario and server after ${WARM}s warm-up, wrk -t1 -c$CONNS on core $LCPU, servers on core $SCPU"

P_ENV=(BENCH_METHOD=POST "BENCH_BODY=$CC" "BENCH_AUTH=$PB"); N_ENV=(BENCH_METHOD=POST "BENCH_BODY=$CC" "BENCH_AUTH=$NB")
scenario "client_credentials, opaque, Basic (SQLite)" sqlite /services/oauth2/token opaque /token

P_ENV=(BENCH_METHOD=POST "BENCH_BODY=$CC&client_id=$PK&client_secret=$PS")
N_ENV=(BENCH_METHOD=POST "BENCH_BODY=$CC&client_id=bench-post&client_secret=$PEER_SECRET")
scenario "client_credentials, opaque, body auth (SQLite)" sqlite /services/oauth2/token opaque /token

P_ENV=(BENCH_METHOD=POST "BENCH_BODY=$CC" "BENCH_AUTH=$PJB"); N_ENV=(BENCH_METHOD=POST "BENCH_BODY=$CC" "BENCH_AUTH=$NB")
scenario "client_credentials, RS256 JWT (SQLite)" sqlite /services/oauth2/token jwt /token

peer_cc_token
P_ENV=(BENCH_METHOD=POST "BENCH_BODY=token=${P_CCT[sqlite]}" "BENCH_AUTH=$PB"); N_ENV=(BENCH_METHOD=POST "BENCH_BODY=token=${N_CCT[opaque]}" "BENCH_AUTH=$NB")
scenario "introspection, active opaque token" sqlite /services/oauth2/introspect opaque /token/introspection

log "pre-issuing tokens for revocation"
p_pool=$(pool "$TMP/p-tokens" "${P_URL[sqlite]}/services/oauth2/token" "$PB" "$CC")
n_pool=$(pool "$TMP/n-tokens" "${N_URL[opaque]}/token" "$NB" "$CC")
P_ENV=(BENCH_METHOD=POST "BENCH_BODY=token=%TOKEN%" "BENCH_AUTH=$PB" "BENCH_TOKENS=$TMP/p-tokens")
N_ENV=(BENCH_METHOD=POST "BENCH_BODY=token=%TOKEN%" "BENCH_AUTH=$NB" "BENCH_TOKENS=$TMP/n-tokens")
scenario "revocation of pre-issued tokens (pool: Portico $p_pool / peer $n_pool, of which the peer still knows ≤1000)" sqlite /services/oauth2/revoke opaque /token/revocation

peer_user_tokens
P_ENV=(BENCH_METHOD=GET "BENCH_AUTH=Bearer ${P_UAT[sqlite]}"); N_ENV=(BENCH_METHOD=GET "BENCH_AUTH=Bearer ${N_UAT[opaque]}")
scenario "UserInfo" sqlite /services/oauth2/userinfo opaque /me

P_ENV=(BENCH_METHOD=GET); N_ENV=(BENCH_METHOD=GET)
scenario "discovery" sqlite /.well-known/openid-configuration opaque /.well-known/openid-configuration
scenario "JWKS" sqlite /id/keys opaque /jwks

peer_user_tokens
P_ENV=(BENCH_METHOD=POST "BENCH_BODY=grant_type=refresh_token&refresh_token=${P_RT[sqlite]}" "BENCH_AUTH=$PB")
N_ENV=(BENCH_METHOD=POST "BENCH_BODY=grant_type=refresh_token&refresh_token=${N_RT[opaque]}" "BENCH_AUTH=$NB")
scenario "refresh_token grant (SQLite)" sqlite /services/oauth2/token opaque /token

# The assertion's aud is the issuer, which changed with the restart (port 0): sign it now.
assertion=$(node "$ROOT/bench/assertion.mjs" "$TMP/bearer.key" "${P_BEARERKEY[sqlite]}" "$ADMIN_USER" "${P_URL[sqlite]}")
P_ENV=(BENCH_METHOD=POST "BENCH_BODY=grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=$assertion")
N_ENV=()
scenario "JWT bearer grant (peer: not supported)" sqlite /services/oauth2/token - -

# Web server flow: completed logins/s (driver on the load core).
flow_run() {
  taskset -c "$LCPU" node bench/flow.mjs --seconds "$WARM" --concurrency "$FLOW_CONC" "$@" >/dev/null 2>&1 || true
  local pid=$FLOW_PID t0 t1 res
  t0=$(cpu_ticks "$pid")
  res=$(taskset -c "$LCPU" node bench/flow.mjs --seconds "$SECS" --concurrency "$FLOW_CONC" "$@")
  t1=$(cpu_ticks "$pid")
  jq -r --arg cpu "$(awk -v d=$((t1 - t0)) -v hz="$CLK_TCK" -v s="$(jq -r .seconds <<<"$res")" 'BEGIN {printf "%.0f", 100 * d / hz / s}')" \
    --arg hwm "$(hwm_mb "$pid")" '"\(.logins_per_s) \(.p50_ms) \(.p99_ms) \($cpu) \($hwm) \(.errors)"' <<<"$res"
}
FLOW_PID=${P_PID[sqlite]}
pf=$(flow_run --authorize "${P_URL[sqlite]}/services/oauth2/authorize" --token "${P_URL[sqlite]}/services/oauth2/token" \
  --client-id PorticoCLI --redirect-uri http://localhost:1717/OauthRedirect --scope "api openid" \
  --user "$ADMIN_USER" --password "$ADMIN_PASS")
FLOW_PID=${N_PID[opaque]}
nf=$(flow_run --authorize "${N_URL[opaque]}/auth" --token "${N_URL[opaque]}/token" --client-id bench-basic \
  --client-secret "$PEER_SECRET" --redirect-uri https://bench.test/cb --scope openid --user alice --password x)
row "web server flow, logins/s (authorize→login→code→token, PKCE)" "$pf" "$nf"

p_loaded_hwm=$(hwm_mb "${P_PID[sqlite]}")
n_loaded_hwm=$(hwm_mb "${N_PID[opaque]}")

# PostgreSQL rows: token scenarios against a fresh database.
if [ -n "$PG_URL" ] && command -v psql >/dev/null && psql "$PG_URL/postgres" -qc 'select 1' >/dev/null 2>&1; then
  psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null
  psql "$PG_URL/postgres" -qc "CREATE DATABASE $PG_DB" >/dev/null
  stop_portico sqlite
  log "starting Portico on PostgreSQL ($PG_URL/$PG_DB)"
  start_portico pg "$PG_URL/$PG_DB"
  configure_portico pg
  QB=$(basic "${P_KEY[pg]}" "${P_SECRET[pg]}"); QJB=$(basic "${P_JWTKEY[pg]}" "${P_JWTSECRET[pg]}")
  P_ENV=(BENCH_METHOD=POST "BENCH_BODY=$CC" "BENCH_AUTH=$QB"); N_ENV=(BENCH_METHOD=POST "BENCH_BODY=$CC" "BENCH_AUTH=$NB")
  scenario "client_credentials, opaque, Basic (PostgreSQL)" pg /services/oauth2/token opaque /token
  P_ENV=(BENCH_METHOD=POST "BENCH_BODY=$CC" "BENCH_AUTH=$QJB"); N_ENV=(BENCH_METHOD=POST "BENCH_BODY=$CC" "BENCH_AUTH=$NB")
  scenario "client_credentials, RS256 JWT (PostgreSQL)" pg /services/oauth2/token jwt /token
  peer_cc_token
  P_ENV=(BENCH_METHOD=POST "BENCH_BODY=token=${P_CCT[pg]}" "BENCH_AUTH=$QB"); N_ENV=(BENCH_METHOD=POST "BENCH_BODY=token=${N_CCT[opaque]}" "BENCH_AUTH=$NB")
  scenario "introspection (PostgreSQL)" pg /services/oauth2/introspect opaque /token/introspection
  peer_user_tokens
  P_ENV=(BENCH_METHOD=POST "BENCH_BODY=grant_type=refresh_token&refresh_token=${P_RT[pg]}" "BENCH_AUTH=$QB")
  N_ENV=(BENCH_METHOD=POST "BENCH_BODY=grant_type=refresh_token&refresh_token=${N_RT[opaque]}" "BENCH_AUTH=$NB")
  scenario "refresh_token grant (PostgreSQL)" pg /services/oauth2/token opaque /token
else
  log "PostgreSQL not reachable at $PG_URL: skipping the PostgreSQL rows"
fi

rsa=$(openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $6}')
rsa1=$(taskset -c "$SCPU" openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $6}')

# ---------------------------------------------------------------------------------------------
{
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "wrk -t1 -c$CONNS, ${WARM}s warm-up + ${SECS}s per cell; servers on core $SCPU, load generator on core $LCPU; latencies in ms;"
  echo "CPU = server process CPU time / wall time; µs/req = server CPU per request (ms per login for the flow); RSS = peak (VmHWM) since start, MB."
  echo "Ratios: req/s Portico/peer, and CPU-efficiency peer µs/req ÷ Portico µs/req (higher is better for Portico)."
  echo
  echo "| Scenario | Portico req/s | p50 | p99 | CPU | µs/req | peak RSS | peer req/s | p50 | p99 | CPU | µs/req | peak RSS | req/s ratio | CPU/req ratio |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "- openssl speed rsa2048 (core $SCPU): $rsa1 sign/s (unpinned: $rsa sign/s)"
  echo "- Portico start-up to ready on an existing SQLite database: $startup_ms ms, $startup3_ms ms (first start on an empty one: $first_start_ms ms)"
  echo "- idle RSS: Portico $portico_idle_rss MB, peer $peer_idle_rss MB; peak RSS after the SQLite scenarios: Portico $p_loaded_hwm MB, peer $n_loaded_hwm MB"
} | tee "$OUT"
