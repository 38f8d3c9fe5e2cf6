#!/usr/bin/env bash
# Import benchmark (issue #2): how long `rescompile MODEL.onnx` takes to read, import and verify a model, and
# how much memory it holds, in a release build. Prints each run and the median; memory is the process's peak
# resident set (getrusage), compared with the model file's size.
#
#   benchmarks/import.sh [MODEL.onnx] [RUNS]
#
# MODEL defaults to the full-size ResNet-50 that `python fixtures/generate.py --full` writes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
model=${1:-$root/fixtures/full/resnet50/model.onnx}
runs=${2:-9}
[ -f "$model" ] || { echo "error: $model not found (python fixtures/generate.py --full makes it)" >&2; exit 1; }

swift build -c release --product rescompile --package-path "$root" >&2
bin=$(swift build -c release --show-bin-path --package-path "$root")/rescompile
size=$(stat -c %s "$model")

times=()
peaks=()
for i in $(seq "$runs"); do
  out=$("$bin" "$model" --stats)
  ms=$(sed -n 's/.*import + verify: \([0-9.]*\) ms.*/\1/p' <<<"$out")
  peak=$(sed -n 's/.*peak resident memory: \(.*\)$/\1/p' <<<"$out")
  times+=("$ms")
  peaks+=("$peak")
  echo "run $i: import + verify $ms ms, peak resident $peak"
done
median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "model: $model ($((size / 1000000)) MB)"
echo "median import + verify: $median ms over $runs runs (min $(printf '%s\n' "${times[@]}" | sort -g | head -1), max $(printf '%s\n' "${times[@]}" | sort -g | tail -1))"
echo "peak resident memory: ${peaks[*]}"
