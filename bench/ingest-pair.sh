#!/usr/bin/env bash
# The ingest ratio of issue 6, measured side by side: bench/ingest.sh against Captiva, then the same
# IngestBenchmark traffic against FreeRADIUS 3.2 + rlm_sql on the same PostgreSQL, started here in
# the foreground and stopped by its PID. Set FreeRADIUS up once with ../shared/peers/freeradius/setup.sh
# (database radius, user radius/radpass, client secret testing123 on 127.0.0.1:1813). Loopback only.
#
#   bench/ingest-pair.sh --jdbc-url jdbc:postgresql://127.0.0.1:5432/captiva_bench [bench/ingest.sh options]
#                        [-- IngestBenchmark options, default --sessions 20000 --windows 256,1024]
#
# Each side reports, per window, acked/s, p50/p99, the CPU seconds of its server process and of the
# PostgreSQL backends of its database, and whether its table holds exactly what was acknowledged
# (Captiva's session, FreeRADIUS's radacct); a table of both sides ends the run. Everything the run
# wrote (both servers' logs, both outputs, the table) is kept in target/bench-runs/<start time>/.
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

source bench/common.sh
export BENCH_RUN_DIR=$run_dir
summary="$run_dir/summary.tsv"
echo "this run's logs and outputs: $run_dir"

echo "== Captiva"
captiva_status=0
bench/ingest.sh "${ingest_options[@]}" -- "${traffic[@]}" --summary "$summary" 2>&1 \
  | tee "$run_dir/captiva.out" || captiva_status=$?

echo "== FreeRADIUS + rlm_sql"
PGPASSWORD=radpass psql -h 127.0.0.1 -U radius -d radius -X -q -c 'TRUNCATE radacct'
freeradius -f > "$run_dir/freeradius.log" 2>&1 &
freeradius=$!
trap 'kill "$freeradius" 2>/dev/null; wait "$freeradius" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do ss -Hlun "sport = :1813" | grep -q . && break; sleep 0.1; done
freeradius_status=0
java -Xmx1g -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  captiva.ingest.radius.load.IngestBenchmark --port 1813 --secret testing123 --label freeradius \
  --server-pid "$freeradius" --schema radacct \
  --jdbc-url jdbc:postgresql://127.0.0.1:5432/radius --jdbc-user radius --jdbc-password radpass \
  "${traffic[@]}" --summary "$summary" 2>&1 | tee "$run_dir/freeradius.out" || freeradius_status=$?
kill "$freeradius" 2>/dev/null; wait "$freeradius" 2>/dev/null || true
trap - EXIT

# One row per window from the two sides' summary lines (label, window, acked/s, p50, p99, server
# CPU s, backends' CPU s, check, packets not acknowledged, capped), as a Markdown table.
echo "== side by side (CPU: seconds used during the window by the server process / by the backends of its database)"
awk -F'\t' '
  $1 == "captiva" { c[$2] = $0; order[++n] = $2 }
  $1 == "freeradius" { f[$2] = $0 }
  function side(line,  x, check) {
    if (line == "") return " - | - | - | - | not run |"
    split(line, x, "\t")
    check = x[8]
    if (x[9] > 0) check = check ", " x[9] " not acked"
    if (x[10] == "capped") check = check ", HIT THE CAP"
    return sprintf(" %s | %s / %s | %s | %s | %s |", x[3], x[4], x[5], x[6], x[7], check)
  }
  END {
    print "| window | Captiva acked/s | p50 / p99 ms | server CPU s | PostgreSQL CPU s | check" \
      " | FreeRADIUS acked/s | p50 / p99 ms | server CPU s | PostgreSQL CPU s | check | ratio |"
    print "| ---: | ---: | --- | ---: | ---: | --- | ---: | --- | ---: | ---: | --- | ---: |"
    for (i = 1; i <= n; i++) {
      w = order[i]; split(c[w], a, "\t"); split(f[w], b, "\t")
      printf "| %s |%s%s %s |\n", w, side(c[w]), side(f[w]), \
        (w in f && b[3] > 0) ? sprintf("%.1fx", a[3] / b[3]) : "-"
    }
  }' "$summary" | tee "$run_dir/table.md"
echo "(kept in $run_dir)"
[[ $captiva_status -eq 0 && $freeradius_status -eq 0 ]] || exit 1
