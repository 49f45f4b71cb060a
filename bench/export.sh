#!/usr/bin/env bash
# Export benchmark (issue 5): builds Captiva, starts the packaged jar against the PostgreSQL you name,
# makes a tenant, a venue and a read key through the admin API, fills the venue with generated
# sessions and downloads GET /sessions/export in CSV and JSON lines with ExportBenchmark, reporting
# rows per second. Loopback only. See BENCHMARKS.md ("Export").
#
#   bench/export.sh --jdbc-url jdbc:postgresql://127.0.0.1:5432/captiva_bench [--db-user postgres]
#                   [--db-password ''] [--http-port 18080] [--sessions 1000000] [--runs 3] [--skip-build]
#
# The server runs with -Xmx256m (CAPTIVA_JAVA_OPTS adds options): an export streams in constant
# memory, so a small heap is part of the test. The database must exist and should be Captiva's or
# empty: Flyway migrates it; each run adds a tenant of its own.
set -euo pipefail

jdbc_url=""
db_user="postgres"
db_password=""
http_port=18080
sessions=1000000
runs=3
build=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --jdbc-url) jdbc_url="$2"; shift 2 ;;
    --db-user) db_user="$2"; shift 2 ;;
    --db-password) db_password="$2"; shift 2 ;;
    --http-port) http_port="$2"; shift 2 ;;
    --sessions) sessions="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
if [[ -z "$jdbc_url" ]]; then
  echo "usage: $0 --jdbc-url jdbc:postgresql://HOST:PORT/DATABASE [--db-user U] [--db-password P] [options]" >&2
  exit 2
fi

cd "$(dirname "$0")/.."
source bench/common.sh
require_free_port tcp "$http_port" --http-port
build_jar

run="$(date +%s)-$RANDOM"
start_server 90 256m target/bench-export-server.log CAPTIVA_RADIUS_ENABLED=false CAPTIVA_RATE_LIMIT_EXPORT_PER_MINUTE=1000

tenant_name="Export benchmark $run"
location_name="Bench venue $run"
tenant=$(api /admin/tenants "{\"name\":\"$tenant_name\",\"time_zone\":\"Europe/London\"}" | jq -r .id)
api "/admin/tenants/$tenant/locations" "{\"name\":\"$location_name\",\"time_zone\":\"Europe/London\"}" > /dev/null
key=$(api "/admin/tenants/$tenant/api-keys" '{"name":"bench","scopes":["sessions:read"]}' | jq -r .key)

cpu_before=$(cpu_seconds "$server")
java -Xmx512m -cp "$classpath" -Dbench.base-url="http://127.0.0.1:$http_port" -Dbench.key="$key" \
  -Dbench.tenant="$tenant_name" -Dbench.location="$location_name" -Dbench.sessions="$sessions" -Dbench.runs="$runs" \
  -Dbench.jdbc-url="$jdbc_url" -Dbench.jdbc-user="$db_user" -Dbench.jdbc-password="$db_password" \
  captiva.sessions.export.ExportBenchmark
echo "server CPU during generation and exports: $(awk -v a="$cpu_before" -v b="$(cpu_seconds "$server")" 'BEGIN { printf "%.1f", b - a }') s"
echo "server resident memory at the end: $(awk '/VmRSS/ { print $2 / 1024 " MB" }' "/proc/$server/status"), peak $(awk '/VmHWM/ { print $2 / 1024 " MB" }' "/proc/$server/status")"
