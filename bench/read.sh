#!/usr/bin/env bash
# Read benchmark (issue 6): builds Captiva, loads a venue chain's sessions into the PostgreSQL you
# name with SessionGenerator (COPY; Flyway migrates first), starts the packaged jar against it with
# -Xmx512m, runs ReadBenchmark (the read API over HTTP and the same SQL over JDBC, per query type),
# then reports the jar's startup time and its heap after the run. Loopback only; every phase is
# bounded in time. See BENCHMARKS.md. The stale-session reaper is held off for the run (1 h): no NAS
# sends Interim-Updates here, so it would close the generated online sessions; ReadBenchmark keeps
# them heard of instead.
#
#   bench/read.sh --jdbc-url jdbc:postgresql://127.0.0.1:5432/captiva_read [--db-user postgres]
#                 [--db-password ''] [--sessions 10000000] [--seed 1] [--http-port 18081]
#                 [--skip-build] [--skip-generate]
#                 [-- ReadBenchmark options, e.g. --concurrency 8 --seconds 10 --types "list,ips 100"]
#
# CAPTIVA_JAVA_OPTS adds JVM options for the server, e.g. a JFR recording:
#   CAPTIVA_JAVA_OPTS=-XX:StartFlightRecording=filename=target/read.jfr bench/read.sh ...
# The database must exist; use a dedicated one. --skip-generate reuses data generated before.
set -euo pipefail

jdbc_url=""
db_user="postgres"
db_password=""
sessions=10000000
seed=1
http_port=18081
build=1
generate=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --jdbc-url) jdbc_url="$2"; shift 2 ;;
    --db-user) db_user="$2"; shift 2 ;;
    --db-password) db_password="$2"; shift 2 ;;
    --sessions) sessions="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --http-port) http_port="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    --skip-generate) generate=0; shift ;;
    --) shift; break ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
if [[ -z "$jdbc_url" ]]; then
  echo "usage: $0 --jdbc-url jdbc:postgresql://HOST:PORT/DATABASE [--db-user U] [--db-password P] [-- options]" >&2
  exit 2
fi

cd "$(dirname "$0")/.."
source bench/common.sh
require_free_port tcp "$http_port" --http-port
build_jar
db=(--jdbc-url "$jdbc_url" --jdbc-user "$db_user" --jdbc-password "$db_password")

if [[ $generate -eq 1 ]]; then
  echo "generating $sessions sessions (seed $seed)..."
  java -Xmx1g -cp "$classpath" captiva.sessions.load.SessionGenerator "${db[@]}" --sessions "$sessions" --seed "$seed"
fi

launched=$(date +%s%N)
# Statistics run at the production cap of 2 at once (ReadQueries.WIDE_READS); both may be the
# chain's, so the per-tenant cap (1 by default) is raised to the instance's.
start_server 60 512m target/bench-read-server.log CAPTIVA_RADIUS_ENABLED=false \
  CAPTIVA_SESSIONS_REAPER_INTERVAL=1h CAPTIVA_WIDE_READS_MAX_CONCURRENT=2 CAPTIVA_WIDE_READS_MAX_PER_TENANT=2
# The CPU figure does not depend on what else the machine runs; the wall-clock ones do.
echo "startup: $(grep -o 'Startup completed in [0-9]*ms' "$log" | head -1) (Micronaut's own figure);" \
  "$(( ($(date +%s%N) - launched) / 1000000 )) ms from launch to the first healthy /health;" \
  "$(cpu_seconds "$server") s of CPU by then; load average $(cut -d' ' -f1-3 /proc/loadavg)"

status=0
java -Xmx1g -cp "$classpath" captiva.sessions.load.ReadBenchmark "${db[@]}" \
  --base-url "http://127.0.0.1:$http_port" --admin-token "$admin_token" --seed "$seed" "$@" || status=$?

echo "server heap after the run (jcmd GC.heap_info):"
jcmd "$server" GC.heap_info | sed 1d
echo "server peak resident memory: $(awk '/VmHWM/ { print $2, $3 }' "/proc/$server/status")"
exit $status
