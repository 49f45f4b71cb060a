#!/usr/bin/env bash
# RADIUS ingest benchmark (issue 6): builds Captiva, starts the packaged jar against the PostgreSQL
# you name, registers a NAS through the admin API, drives it with IngestBenchmark at rising windows
# (reporting per window the CPU seconds of the jar and of its database's backends) and checks that
# the database holds exactly what was acknowledged. Loopback only; every run is bounded in packets
# and time. The server's log goes to target/bench-runs/<start time>/. See BENCHMARKS.md.
#
#   bench/ingest.sh --jdbc-url jdbc:postgresql://127.0.0.1:5432/captiva_bench [--db-user postgres]
#                   [--db-password ''] [--http-port 18080] [--radius-port 18130] [--skip-build]
#                   [-- IngestBenchmark options, e.g. --sessions 20000 --windows 16,64,256,1024]
#   bench/ingest.sh --jdbc-url ... --webhook [--receiver-port 18099] [-- WebhookBenchmark options]
#
# --webhook measures what one webhook costs instead (issue 16): the same traffic with one webhook
# endpoint (a receiver in the benchmark's JVM, on loopback) and without, in turn, then the
# delivery latency at a steady rate. See WebhookBenchmark and BENCHMARKS.md.
#
# CAPTIVA_JAVA_OPTS adds JVM options for the server, e.g. a JFR recording:
#   CAPTIVA_JAVA_OPTS=-XX:StartFlightRecording=filename=target/ingest.jfr bench/ingest.sh ...
# The database must exist and should be empty or Captiva's: Flyway migrates it. Nothing is assumed:
# without --jdbc-url the script refuses to run.
set -euo pipefail

jdbc_url=""
db_user="postgres"
db_password=""
http_port=18080
radius_port=18130
build=1
webhook=0
receiver_port=18099
while [[ $# -gt 0 ]]; do
  case "$1" in
    --jdbc-url) jdbc_url="$2"; shift 2 ;;
    --db-user) db_user="$2"; shift 2 ;;
    --db-password) db_password="$2"; shift 2 ;;
    --http-port) http_port="$2"; shift 2 ;;
    --radius-port) radius_port="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    --webhook) webhook=1; shift ;;
    --receiver-port) receiver_port="$2"; shift 2 ;;
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
require_free_port udp "$radius_port" --radius-port
build_jar

secret="bench-secret-$RANDOM$RANDOM"
nas_identifier="bench-nas-$(date +%s)-$RANDOM"
[[ $webhook -eq 1 ]] && require_free_port tcp "$receiver_port" --receiver-port
start_server 90 512m target/bench-ingest-server.log \
  CAPTIVA_RADIUS_ACCOUNTING_PORT="$radius_port" CAPTIVA_RADIUS_BIND_ADDRESS=127.0.0.1 \
  CAPTIVA_WEBHOOKS_ALLOW_PRIVATE_TARGETS=$([[ $webhook -eq 1 ]] && echo true || echo false)

tenant=$(api /admin/tenants '{"name":"Ingest benchmark","time_zone":"UTC"}' | jq -r .id)
location=$(api "/admin/tenants/$tenant/locations" '{"name":"Bench venue","time_zone":"UTC"}' | jq -r .id)
api "/admin/tenants/$tenant/locations/$location/nas" \
  "{\"ip_address\":\"127.0.0.1\",\"identifier\":\"$nas_identifier\",\"secret\":\"$secret\"}" > /dev/null
echo "registered NAS $nas_identifier"

# CPU ticks per kind of server thread ("radius-write-0" counts as radius-write); names may hold spaces.
thread_ticks() {
  cat /proc/"$1"/task/*/stat 2>/dev/null | awk '{
    name = substr($0, index($0, "(") + 1); rest = substr(name, length(name) - index(reverse(name), ")") + 3)
    name = substr(name, 1, length(name) - length(rest) - 2); sub(/[-# ]*[0-9]+$/, "", name)
    split(rest, f, " "); ticks[name] += f[12] + f[13]
  } function reverse(s,  r, i) { for (i = length(s); i > 0; i--) r = r substr(s, i, 1); return r }
  END { for (n in ticks) print n "\t" ticks[n] }'
}
if [[ $webhook -eq 1 ]]; then
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  java -Xmx1g -cp "$classpath" captiva.events.load.WebhookBenchmark \
    --http-port "$http_port" --radius-port "$radius_port" --admin-token "$admin_token" --tenant-id "$tenant" \
    --nas-identifier "$nas_identifier" --secret "$secret" --receiver-port "$receiver_port" "$@"
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi
cpu_before=$(cpu_seconds "$server")
threads_before=$(thread_ticks "$server")
status=0
java -Xmx1g -cp "$classpath" captiva.ingest.radius.load.IngestBenchmark \
  --port "$radius_port" --secret "$secret" --nas-identifier "$nas_identifier" --server-pid "$server" \
  --jdbc-url "$jdbc_url" --jdbc-user "$db_user" --jdbc-password "$db_password" "$@" || status=$?
echo "server CPU during the benchmark: $(awk -v a="$cpu_before" -v b="$(cpu_seconds "$server")" 'BEGIN { printf "%.1f", b - a }') s"
echo "of which, by thread (s):"
awk -F'\t' -v hz="$(getconf CLK_TCK)" 'NR == FNR { before[$1] = $2; next }
  { d = ($2 - before[$1]) / hz; if (d >= 0.1) printf "%.1f\t%s\n", d, $1 }' \
  <(echo "$threads_before") <(thread_ticks "$server") | sort -rn | awk -F'\t' '{ printf "  %-20s %6.1f\n", $2, $1 }'
exit $status
