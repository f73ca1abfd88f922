#!/bin/sh
# One campaign: Tools/fuzz/run.sh TARGET SECONDS [more libFuzzer flags]
#   TARGET: object | script | pcap | bytecode | jitdiff
# Seeds are copied from Tests/Fixtures into $WORK (default /tmp/tcx-fuzz-work) at every run;
# the growing corpus and any finding (crash-*, timeout-*, oom-*, leak-*) stay there.
# Limits make a hang or a blow-up a finding: -timeout (seconds per input), -rss_limit_mb,
# -malloc_limit_mb (one allocation), -max_len (bytes per input). -fork=1 with -ignore_* keeps
# fuzzing after a finding (each is written to $findings) for the whole campaign.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$here/../../Tests/Fixtures
work=${WORK:-/tmp/tcx-fuzz-work}
target=$1; seconds=$2; shift 2
bin=${BIN:-$here/.build/release}
seeds=$work/seeds/$target; corpus=$work/corpus/$target; findings=$work/findings/$target
mkdir -p "$seeds" "$corpus" "$findings"
case $target in
object)
    name=FuzzObject; max_len=65536; timeout=20
    # Small objects: a large one spends each run in the verifier, not in the reader.
    find "$fixtures" -name '*.o' -size -24k -exec cp -n {} "$seeds" \; ;;
script)
    name=FuzzScript; max_len=16384; timeout=20
    # Scripts name objects beside them: one flat directory holds every fixture object.
    export TCX_FUZZ_SCRIPT_DIR=$work/scripts-dir
    mkdir -p "$TCX_FUZZ_SCRIPT_DIR"
    find "$fixtures" -name '*.o' -exec cp -n {} "$TCX_FUZZ_SCRIPT_DIR" \;
    find "$fixtures/scripts/embedded" "$fixtures/corpus" -name '*.tcx' -size -16k -exec cp -n {} "$seeds" \; ;;
pcap)
    name=FuzzPcap; max_len=65536; timeout=10
    find "$fixtures/pcap" -name '*.pcap*' -exec cp -n {} "$seeds" \; ;;
bytecode)
    name=FuzzBytecode; max_len=32768; timeout=20
    python3 "$here/seeds.py" "$fixtures" "$seeds" >/dev/null ;;
jitdiff)
    # FuzzBytecode's input and seeds, and the programs VMDifferentialTests generates when
    # VMDIFF_RUNTIME_SEEDS_DIR names $WORK/generated/jitdiff (README); every program runs on
    # both engines (and a third time on a difference), so a slow one costs up to three times.
    name=FuzzJITDifferential; max_len=32768; timeout=30
    python3 "$here/seeds.py" "$fixtures" "$seeds" >/dev/null
    if [ -d "$work/generated/jitdiff" ]; then cp -n "$work/generated/jitdiff"/* "$seeds"/ 2>/dev/null || true; fi ;;
*) echo "unknown target '$target' (object, script, pcap, bytecode, jitdiff)" >&2; exit 2 ;;
esac
cd "$work"
# One allocation kept for the process on purpose (see lsan.supp) is not a leak.
export LSAN_OPTIONS="suppressions=$here/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
exec nice -n 19 "$bin/$name" -max_total_time="$seconds" -max_len="$max_len" -timeout="$timeout" \
    -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$findings/" \
    -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    "$@" "$corpus" "$seeds"
