#!/usr/bin/env bash
# RADIUS flood benchmark: how much junk one instance absorbs. Builds Captiva, starts the packaged jar
# against the PostgreSQL you name, registers a NAS, then drives FloodBenchmark: junk datagrams at rising
# offered rates while the NAS sends valid Starts beside them. Loopback only; bounded in time (seconds
# per step x steps). See BENCHMARKS.md.
#
#   bench/flood.sh --jdbc-url jdbc:postgresql://127.0.0.1:5432/captiva_bench [--db-user postgres]
#                  [--db-password ''] [--http-port 18080] [--radius-port 18130] [--skip-build]
#                  [-- FloodBenchmark options, e.g. --rates 10000,50000 --seconds 5 --valid-per-second 200]
#
# CAPTIVA_RADIUS_RECEIVE_BUFFER (e.g. 212992) tries another socket buffer; the kernel caps it at
# net.core.rmem_max.
set -euo pipefail

jdbc_url=""
db_user="postgres"
db_password=""
http_port=18080
radius_port=18130
build=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --jdbc-url) jdbc_url="$2"; shift 2 ;;
    --db-user) db_user="$2"; shift 2 ;;
    --db-password) db_password="$2"; shift 2 ;;
    --http-port) http_port="$2"; shift 2 ;;
    --radius-port) radius_port="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
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
start_server 90 512m target/bench-flood-server.log \
  CAPTIVA_RADIUS_ACCOUNTING_PORT="$radius_port" CAPTIVA_RADIUS_BIND_ADDRESS=127.0.0.1

tenant=$(api /admin/tenants '{"name":"Flood benchmark","time_zone":"UTC"}' | jq -r .id)
location=$(api "/admin/tenants/$tenant/locations" '{"name":"Bench venue","time_zone":"UTC"}' | jq -r .id)
api "/admin/tenants/$tenant/locations/$location/nas" \
  "{\"ip_address\":\"127.0.0.1\",\"identifier\":\"$nas_identifier\",\"secret\":\"$secret\"}" > /dev/null
echo "registered NAS $nas_identifier; socket buffer: $(grep -o 'receive buffer is [0-9]* bytes' "$log" || echo 'as asked')"
echo "commit $(git rev-parse --short HEAD), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

java -Xmx512m -cp "$classpath" captiva.ingest.radius.load.FloodBenchmark \
  --port "$radius_port" --http-port "$http_port" --secret "$secret" --nas-identifier "$nas_identifier" "$@"
