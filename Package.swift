// swift-tools-version: 6.1
//
// rescompile: an ONNX → fused-kernel-plan compiler for residual networks.
//
// Module arrows (DESIGN.md §2): the CLI depends on the façade and the runtime; the façade depends on the
// importer, passes and codegen; everything compiler-side depends on ResIR. No target here carries
// `unsafeFlags`, so the library products build as a version-tagged dependency; the fast x86 build names the
// CPU on the command line instead (README, "Performance").
import PackageDescription

let package = Package(
  name: "rescompile",
  products: [
    .executable(name: "rescompile", targets: ["rescompile"]),
    .library(name: "ResCompiler", targets: ["ResCompiler"]),
    .library(name: "ResIR", targets: ["ResIR"]),
    .library(name: "ResRuntime", targets: ["ResRuntime"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
  ],
  targets: [
    // MARK: - Compiler side
    .target(name: "ResIR"),
    .target(
      name: "ResONNX",
      dependencies: ["ResIR", .product(name: "SwiftProtobuf", package: "swift-protobuf")]
    ),
    // The façade also runs what it compiles (`rescompile run`, `check`): it joins the IR's constants to the runtime's
    // tensors. The runtime itself still knows nothing of the IR.
    .target(
      name: "ResCompiler", dependencies: ["ResIR", "ResONNX", "ResPasses", "ResCodegen", "ResReference", "ResRuntime"]),
    // Codegen folds at compile time with the optimizer's `ConstantFolding`: one implementation of what a constant is.
    .target(name: "ResCodegen", dependencies: ["ResIR", "ResPlan", "ResReference", "ResPasses"]),
    .target(name: "ResReference", dependencies: ["ResIR"]),
    .target(name: "ResPasses", dependencies: ["ResIR", "ResReference"]),

    // MARK: - Plans (shared by the compiler and the runtime; never imports the IR)
    .target(name: "ResPlan", dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]),

    // MARK: - Runtime (never imports ResIR, ResONNX or the ONNX protobuf types)
    // ResCPU: run-time CPU feature detection, and which vector ISA the Swift kernels were compiled for.
    .target(name: "ResCPU"),
    .target(name: "ResKernels", dependencies: ["ResCPU"]),
    .target(name: "ResRuntime", dependencies: ["ResPlan", "ResKernels", "ResCPU"]),

    // MARK: - Command line
    .executableTarget(
      name: "rescompile",
      dependencies: [
        "ResCompiler", "ResRuntime", "ResReference", .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),

    // MARK: - Benchmarks (benchmarks/README.md): a timing tool the benchmark scripts drive; not a product
    .executableTarget(
      name: "rescompile-benchmark", dependencies: ["ResRuntime", "ResKernels"], path: "benchmarks/rescompile-benchmark"),

    // MARK: - Tests
    .target(name: "ResTestSupport", dependencies: ["ResIR"], path: "Tests/ResTestSupport"),
    .testTarget(name: "ResIRTests", dependencies: ["ResIR", "ResTestSupport"]),
    .testTarget(name: "ResONNXTests", dependencies: ["ResONNX", "ResIR", "ResTestSupport"]),
    .testTarget(name: "ResReferenceTests", dependencies: ["ResReference", "ResIR", "ResONNX", "ResTestSupport"]),
    .testTarget(name: "CLITests", dependencies: ["ResTestSupport"]),
    .testTarget(
      name: "ResCodegenTests",
      dependencies: [
        "ResCodegen", "ResPlan", "ResIR", "ResONNX", "ResPasses", "ResTestSupport",
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ]),
    .testTarget(
      name: "ResCompilerTests",
      dependencies: ["ResCompiler", "ResTestSupport", "ResONNX", "ResReference", "ResRuntime"]),
    .testTarget(
      name: "ResPassesTests",
      dependencies: [
        "ResPasses", "ResIR", "ResReference", "ResONNX", "ResTestSupport",
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ]),
    .testTarget(name: "ResRuntimeTests", dependencies: ["ResRuntime", "ResPlan", "ResKernels", "ResCPU", "ResTestSupport"]),
    .testTarget(name: "BenchmarkToolTests", dependencies: ["rescompile-benchmark"]),
    // Compile + run + compare: every fixture at -O0 and -O2, ONNX's node tests through the runtime, the README's
    // library example.
    .testTarget(
      name: "EndToEndTests",
      dependencies: [
        "ResCompiler", "ResRuntime", "ResONNX", "ResReference", "ResCodegen", "ResKernels", "ResPasses",
        "ResTestSupport",
      ]),
  ]
)
