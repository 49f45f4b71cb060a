#!/usr/bin/env bash
# The ingest ratio of issue 6, measured side by side: bench/ingest.sh against Captiva, then the same
# IngestBenchmark traffic against FreeRADIUS 3.2 + rlm_sql on the same PostgreSQL, started here in
# the foreground and stopped by its PID. Set FreeRADIUS up once with ../shared/peers/freeradius/setup.sh
# (database radius, user radius/radpass, client secret testing123 on 127.0.0.1:1813). Loopback only.
#
#   bench/ingest-pair.sh --jdbc-url jdbc:postgresql://127.0.0.1:5432/captiva_bench [bench/ingest.sh options]
#                        [-- IngestBenchmark options, default --sessions 20000 --windows 256,1024]
#
# Give Captiva a freshly created database for each pair: the runs compare like with like only
# when both tables start empty (radacct is truncated here).
set -euo pipefail
cd "$(dirname "$0")/.."

ingest_options=()
while [[ $# -gt 0 && $1 != -- ]]; do ingest_options+=("$1"); shift; done
[[ $# -gt 0 ]] && shift
traffic=("$@")
[[ ${#traffic[@]} -eq 0 ]] && traffic=(--sessions 20000 --windows 256,1024)

command -v freeradius > /dev/null || { echo "freeradius is not installed: see ../shared/peers/freeradius/setup.sh" >&2; exit 2; }
if ss -Hlun "sport = :1813" | grep -q .; then echo "port 1813/udp is taken: stop what listens there" >&2; exit 2; fi

echo "== Captiva"
bench/ingest.sh "${ingest_options[@]}" -- "${traffic[@]}"

echo "== FreeRADIUS + rlm_sql"
PGPASSWORD=radpass psql -h 127.0.0.1 -U radius -d radius -X -q -c 'TRUNCATE radacct'
freeradius -f > target/bench-freeradius.log 2>&1 &
freeradius=$!
trap 'kill "$freeradius" 2>/dev/null; wait "$freeradius" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do ss -Hlun "sport = :1813" | grep -q . && break; sleep 0.1; done
java -Xmx1g -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  captiva.ingest.radius.load.IngestBenchmark --port 1813 --secret testing123 --label freeradius "${traffic[@]}"
PGPASSWORD=radpass psql -h 127.0.0.1 -U radius -d radius -X -At \
  -c "SELECT count(*) || ' radacct rows, ' || count(acctstoptime) || ' stopped' FROM radacct"
