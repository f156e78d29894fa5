#!/usr/bin/env bash
# image-bench.sh — measure `sprawl image` on a multi-hundred-MB image built
# from real files (the Go toolchain, or SPRAWL_BENCH_SRC): throughput and
# peak memory, which must stay bounded because layers are streamed.
#
#   scripts/image-bench.sh [OUT_DIR]
#
# Builds OUT_DIR/go-toolchain.docker.tar (docker save, plain tar layers)
# and OUT_DIR/go-toolchain.oci (OCI layout, gzip layers) with the test
# helper in pkg/sources/image/bench_test.go, then times the binary on each
# with /usr/bin/time -v. The machine's load is printed with the figures:
# on a shared machine, wall-clock MB/s says more about the neighbours than
# about sprawl, so MB per CPU-second is printed too.
set -euo pipefail

out=${1:-$(mktemp -d)}
mkdir -p "$out"
cd "$(dirname "$0")/.."

SPRAWL_BENCH_DIR=$out go test ./pkg/sources/image -run '^TestWriteBenchImage$' -count=1 -v | grep 'bench_test.go'
go build -o "$out/sprawl" ./cmd/sprawl

# Layer content is what is read, whichever way it is stored.
bytes=$(tar -tvf "$out/go-toolchain.docker.tar" | awk '/layer\.tar$/ { s += $3 } END { print s }')
echo "layer content: $((bytes / 1000000)) MB in $(nproc) CPUs"

for input in "$out/go-toolchain.docker.tar" "$out/go-toolchain.oci"; do
	echo
	echo "== sprawl image $input"
	echo "load before: $(uptime)"
	status=0
	# Run from OUT_DIR so that no .sprawl.yaml of this checkout applies.
	(cd "$out" && /usr/bin/time -v -o time.txt ./sprawl image "$input" --format json --output report.json --quiet) || status=$?
	echo "load after:  $(uptime)"
	if [ "$status" -gt 1 ]; then
		echo "sprawl failed with status $status" >&2
		exit "$status"
	fi
	awk -v bytes="$bytes" '
		/Elapsed \(wall clock\)/ { n = split($NF, t, ":"); wall = (n == 3) ? t[1] * 3600 + t[2] * 60 + t[3] : t[1] * 60 + t[2] }
		/User time/ { user = $NF }
		/System time/ { sys = $NF }
		/Maximum resident set size/ { rss = $NF }
		END {
			printf "wall %.1f s, %.0f MB/s; CPU %.1f s (user %.1f + sys %.1f), %.0f MB per CPU-second; peak RSS %.0f MiB\n",
				wall, bytes / 1e6 / wall, user + sys, user, sys, bytes / 1e6 / (user + sys), rss / 1024
		}' "$out/time.txt"
	grep -o '"items_scanned": [0-9]*\|"bytes_scanned": [0-9]*\|"findings": [0-9]*' "$out/report.json" | head -3 | tr '\n' ' '
	echo
done
