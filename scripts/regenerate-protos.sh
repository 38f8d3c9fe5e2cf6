#!/usr/bin/env bash
# Regenerates the Swift bindings for schemas/onnx.proto with protoc and protoc-gen-swift from the
# swift-protobuf version Package.swift pins (1.39.0).
#
#   scripts/regenerate-protos.sh             # rewrite Sources/ResONNX/Generated/
#   scripts/regenerate-protos.sh --check     # exit 1 if the committed file differs from a fresh generation
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
# Visibility stays internal: the protobuf types never leave the importer module.
protoc --plugin=protoc-gen-swift="$plugin" --swift_out="$tmp" --swift_opt=Visibility=Internal \
  --proto_path=schemas schemas/onnx.proto

case "$mode" in
  --check)
    if diff -u "$out_dir/onnx.pb.swift" "$tmp/onnx.pb.swift"; then
      echo "generated bindings are up to date"
    else
      echo "error: $out_dir/onnx.pb.swift is stale; run scripts/regenerate-protos.sh" >&2
      exit 1
    fi
    ;;
  write)
    mkdir -p "$out_dir"
    cp "$tmp/onnx.pb.swift" "$out_dir/onnx.pb.swift"
    echo "wrote $out_dir/onnx.pb.swift"
    ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac
