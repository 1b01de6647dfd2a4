#!/usr/bin/env bash
# Builds the libFuzzer harnesses of the C code that reads untrusted input (Tests/Fuzz: the JSON codec,
# the bounded pattern matcher checked against stock Lua 5.4, module loading) with the clang of the
# Swift toolchain (-fsanitize=fuzzer,address,undefined), and runs each for SECONDS seconds (default 60).
#   bash scripts/fuzz.sh [SECONDS] [HARNESS...]
# Each starts from the seed corpus in Tests/Fuzz/corpus/<harness>/ (never written to) plus what earlier
# runs found (.build/fuzz/corpus/<harness>/). A crash, a leak or a failed check stops the harness; its
# input is kept in artifacts/fuzz/ and the script exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(json pattern module)

clang=$(dirname "$(readlink -f "$(command -v swift)")")/clang
[ -x "$clang" ] || { echo "fuzz: no clang beside swift ($clang)" >&2; exit 2; }
lua_flags=$(pkg-config --cflags --libs lua5.4)
out=.build/fuzz
mkdir -p "$out" artifacts/fuzz
failed=0
for name in "${harnesses[@]}"; do
    binary=$out/fuzz_$name
    "$clang" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fuse-ld=lld \
        -ISources/CLuaSandbox/include Tests/Fuzz/fuzz_$name.c Sources/CLuaSandbox/*.c $lua_flags -lm -o "$binary" \
        2> "$out/$name.build.log" || { cat "$out/$name.build.log" >&2; exit 2; }
    mkdir -p "$out/corpus/$name"
    echo "fuzz: $name for ${seconds}s"
    if ! UBSAN_OPTIONS=print_stacktrace=1 "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
            -artifact_prefix="artifacts/fuzz/$name-" "$out/corpus/$name" "Tests/Fuzz/corpus/$name" > "$out/$name.log" 2>&1; then
        echo "fuzz: $name FAILED (input kept in artifacts/fuzz/; log $out/$name.log):" >&2
        grep -E "ERROR|SUMMARY|differs|stock:|sandbox:|failed|refuses|fixed point" "$out/$name.log" | head -20 >&2 || tail -20 "$out/$name.log" >&2
        failed=1
    else
        grep -E "stat::number_executed_units|cov: " "$out/$name.log" | tail -2 | sed "s/^/fuzz: $name: /"
    fi
done
exit $failed
