import Foundation
import ResTestSupport
import Testing

/// The committed protobuf bindings (ONNX, plan) must be exactly what `scripts/regenerate-protos.sh` produces
/// from the schemas, so nobody edits generated code by hand or forgets to regenerate after a schema change.
///
/// The check needs `protoc` and a protoc-gen-swift 1.39.0 (on PATH, in `$PROTOC_GEN_SWIFT`, or built once by
/// the script into .build-protoc-gen-swift/). When they are absent — CI has no protoc — the test is skipped
/// and the skip and its reason show in the test output.
@Suite struct GeneratedBindingsTests {
  static let toolsAvailable: Bool = Toolchain.protoc != nil && Toolchain.protocGenSwift != nil

  @Test(
    .enabled(
      if: toolsAvailable,
      "SKIPPED: protoc or protoc-gen-swift not found; install protobuf-compiler and run scripts/regenerate-protos.sh once"
    ))
  func committedBindingsMatchTheSchemas() throws {
    var environment = ProcessInfo.processInfo.environment
    environment["PROTOC_GEN_SWIFT"] = Toolchain.protocGenSwift
    let result = try ProcessRunner.run(
      ["\(RepoPaths.root)/scripts/regenerate-protos.sh", "--check"], executable: "/bin/bash",
      timeout: 120, environment: environment)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
  }

  enum Toolchain {
    static var protoc: String? { search("protoc") }

    static var protocGenSwift: String? {
      if let path = ProcessInfo.processInfo.environment["PROTOC_GEN_SWIFT"] { return path }
      let built = "\(RepoPaths.root)/.build-protoc-gen-swift/release/protoc-gen-swift"
      if FileManager.default.isExecutableFile(atPath: built) { return built }
      return search("protoc-gen-swift")
    }

    private static func search(_ program: String) -> String? {
      let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
      return path.split(separator: ":").map { "\($0)/\(program)" }
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
  }
}
