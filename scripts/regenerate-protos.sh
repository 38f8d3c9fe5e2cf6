#!/usr/bin/env bash
# Regenerates the Swift bindings for the protobuf schemas with protoc and protoc-gen-swift from the
# swift-protobuf version Package.swift pins (1.39.0):
#   schemas/onnx.proto → Sources/ResONNX/Generated/onnx.pb.swift  (internal: ONNX types never leave the importer)
#   schemas/plan.proto → Sources/ResPlan/Generated/plan.pb.swift  (package: shared by codegen and runtime only)
#
#   scripts/regenerate-protos.sh             # rewrite the generated files
#   scripts/regenerate-protos.sh --check     # exit 1 if a committed file differs from a fresh generation
#
# Needs `protoc` on PATH (Debian: apt-get install protobuf-compiler). protoc-gen-swift is taken from PATH or
# $PROTOC_GEN_SWIFT, else built once from the swift-protobuf checkout SwiftPM resolved for this package into
# .build-protoc-gen-swift/ (a few minutes the first time). CI does not run this: the output is committed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

out_dir=Sources/ResONNX/Generated
mode=${1:-write}

command -v protoc >/dev/null || { echo "error: protoc not found (apt-get install protobuf-compiler)" >&2; exit 2; }

plugin=${PROTOC_GEN_SWIFT:-$(command -v protoc-gen-swift || true)}
if [ -z "$plugin" ]; then
  plugin=$root/.build-protoc-gen-swift/release/protoc-gen-swift
  if [ ! -x "$plugin" ]; then
    swift package resolve >/dev/null
    checkout=$root/.build/checkouts/swift-protobuf
    [ -d "$checkout" ] || { echo "error: swift-protobuf checkout missing at $checkout" >&2; exit 2; }
    swift build -c release --package-path "$checkout" --scratch-path "$root/.build-protoc-gen-swift" \
      --product protoc-gen-swift >&2
  fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# schema, visibility, output directory
targets=(
  "onnx.proto Internal Sources/ResONNX/Generated"
  "plan.proto Package Sources/ResPlan/Generated"
)

status=0
for target in "${targets[@]}"; do
  read -r schema visibility out_dir <<<"$target"
  generated=${schema%.proto}.pb.swift
  mkdir -p "$tmp/$visibility"
  protoc --plugin=protoc-gen-swift="$plugin" --swift_out="$tmp/$visibility" \
    --swift_opt=Visibility="$visibility" --proto_path=schemas "schemas/$schema"
  case "$mode" in
    --check)
      if diff -u "$out_dir/$generated" "$tmp/$visibility/$generated"; then
        echo "$out_dir/$generated is up to date"
      else
        echo "error: $out_dir/$generated is stale; run scripts/regenerate-protos.sh" >&2
        status=1
      fi
      ;;
    write)
      mkdir -p "$out_dir"
      cp "$tmp/$visibility/$generated" "$out_dir/$generated"
      echo "wrote $out_dir/$generated"
      ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
  esac
done
exit $status
