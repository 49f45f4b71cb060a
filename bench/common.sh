# Sourced by the bench/ scripts: build, start the packaged jar against the caller's database, wait
# for it, and read its CPU time. Expects jdbc_url, db_user, db_password, http_port and build to be
# set, and the working directory to be the project root.

# Where this run keeps its logs and outputs, so that no run overwrites another's:
# target/bench-runs/<start time, UTC>/, or BENCH_RUN_DIR when a calling script shares its own.
run_dir=${BENCH_RUN_DIR:-target/bench-runs/$(date -u +%Y%m%dT%H%M%SZ)}
[[ -z ${BENCH_RUN_DIR:-} && -e $run_dir ]] && run_dir="$run_dir-$$"
mkdir -p "$run_dir"

# Exits when a loopback port is taken. Usage: require_free_port tcp|udp PORT OPTION-TO-CHANGE-IT
require_free_port() {
  local listening=-Hltn
  [[ $1 == udp ]] && listening=-Hlun
  if ss "$listening" "sport = :$2" | grep -q .; then
    echo "port $2/$1 is taken: pass $3" >&2
    exit 2
  fi
}

# Builds unless --skip-build was given; sets jar and classpath (main and test classes, for the clients).
build_jar() {
  if [[ $build -eq 1 ]]; then
    echo "building (package, test classes, test classpath)..."
    ./mvnw -B -q -DskipTests package
    ./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
  fi
  jar=$(ls target/captiva-*.jar | grep -v original- | head -1)
  classpath="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
}

# Usage: start_server WAIT-SECONDS HEAP LOG-NAME [NAME=value ...]. Starts the jar on the caller's
# database with a fresh admin token and the settings given, stops it when the script exits, and
# waits for /health. Sets server (its pid), admin_token and log (LOG-NAME in the run's folder).
start_server() {
  local wait_seconds=$1 heap=$2
  log="$run_dir/$(basename "$3")"
  shift 3
  admin_token="bench-$(od -An -tx1 -N16 /dev/urandom | tr -d " \n")"   # 38 characters: the service refuses fewer than 32
  echo "starting $jar (log: $log)"
  env DATASOURCES_DEFAULT_URL="$jdbc_url" DATASOURCES_DEFAULT_USERNAME="$db_user" DATASOURCES_DEFAULT_PASSWORD="$db_password" \
    CAPTIVA_ADMIN_TOKEN="$admin_token" MICRONAUT_SERVER_PORT="$http_port" "$@" \
    java "-Xmx$heap" ${CAPTIVA_JAVA_OPTS:-} -jar "$jar" > "$log" 2>&1 &
  server=$!
  trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
  for _ in $(seq 1 $((wait_seconds * 20))); do
    if curl -fs "http://127.0.0.1:$http_port/health" > /dev/null; then break; fi
    if ! kill -0 "$server" 2>/dev/null; then echo "the jar died:" >&2; tail -50 "$log" >&2; exit 1; fi
    sleep 0.05
  done
  curl -fs "http://127.0.0.1:$http_port/health" > /dev/null || { echo "the jar did not start" >&2; exit 1; }
  warn_without_autovacuum
}

# Says so when the database's server runs without autovacuum. Nothing then ANALYZEs the tables,
# so the generic plans that the server's connections cached while the tables were empty stay while
# they grow; on 2026-12-05 that made every RADIUS batch hash the whole session table and halved
# ingest. PostgreSQL has autovacuum on by default; a figure taken without it is not Captiva's.
warn_without_autovacuum() {
  local address=${jdbc_url#jdbc:postgresql://} host port database setting
  host=${address%%/*}; database=${address#*/}; database=${database%%\?*}
  port=5432; [[ $host == *:* ]] && port=${host##*:} && host=${host%:*}
  setting=$(PGPASSWORD=$db_password psql -h "$host" -p "$port" -U "$db_user" -d "$database" -XAtc "SHOW autovacuum" 2>/dev/null) || return 0
  if [[ $setting == off ]]; then
    echo "WARNING: autovacuum is off on this PostgreSQL: the figures below are not comparable with production's." >&2
    echo "         Turn it on for a run: psql -c 'ALTER SYSTEM SET autovacuum = on' -c 'SELECT pg_reload_conf()'" >&2
  fi
}

# POST to the admin API. Usage: api PATH JSON
api() {
  curl -fsS -X POST -H "Authorization: Bearer $admin_token" -H 'Content-Type: application/json' \
    "http://127.0.0.1:$http_port$1" -d "$2"
}

# CPU seconds a process has used so far.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$1/stat"; }
