import Foundation
import ResPlan
import Testing

@testable import ResRuntime

/// The container (header, sections, checksums) under truncation, corruption and hostile header values:
/// always an error with a message, never a crash.
@Suite struct PlanContainerTests {
  static let file = SamplePlans.convolutionalClassifier().bytes()

  static func header(of bytes: [UInt8]) throws -> PlanHeader {
    try bytes.withUnsafeBytes { try PlanHeader(parsing: $0) }
  }

  /// Loads `bytes` and returns the error message, recording an issue if it loads.
  static func rejection(_ bytes: [UInt8], kind: RuntimeError.Kind = .invalidPlan) -> String {
    do {
      _ = try Plan(bytes: bytes)
      Issue.record("a damaged plan loaded")
      return ""
    } catch {
      #expect(error.kind == kind, "\(error.message)")
      #expect(!error.message.isEmpty && !error.message.contains("\n"))
      return error.message
    }
  }

  @Test func headerRoundTrips() throws {
    let header = PlanHeader(
      producer: "rescompile 9.9.9", requiredFeatures: [.avx2, .fma], metadataOffset: 128, metadataLength: 77,
      constantsOffset: 256, constantsLength: 640, metadataChecksum: 0x1234, constantsChecksum: 0xABCD)
    let parsed = try Self.header(of: header.serialized())
    #expect(parsed == header)
    #expect(try Plan(bytes: Self.file).producer == "rescompile tests")
  }

  @Test func truncationAtEverySectionBoundaryAndElsewhere() throws {
    let header = try Self.header(of: Self.file)
    let metadataEnd = Int(header.metadataOffset + header.metadataLength)
    let constantsStart = Int(header.constantsOffset)
    var lengths: Set<Int> = [
      0, 1, 7, 8, 11, 12, 103, 104, 127, 128, 129, metadataEnd - 1, metadataEnd, metadataEnd + 1, constantsStart - 1,
      constantsStart, constantsStart + 1, Self.file.count - 64, Self.file.count - 1,
    ]
    lengths.formUnion(stride(from: 0, to: Self.file.count, by: 97))
    for length in lengths.sorted() where length < Self.file.count {
      let message = Self.rejection(Array(Self.file.prefix(length)))
      #expect(message.contains("plan"), "truncated to \(length): \(message)")
    }
  }

  @Test func everyHeaderAndMetadataByteFlipIsCaught() throws {
    let header = try Self.header(of: Self.file)
    let metadataEnd = Int(header.metadataOffset + header.metadataLength)
    for position in 0..<metadataEnd {
      for mask: UInt8 in [0x01, 0x80] {
        var damaged = Self.file
        damaged[position] ^= mask
        _ = Self.rejection(damaged)
      }
    }
  }

  @Test func constantFlipsAreCaught() throws {
    let header = try Self.header(of: Self.file)
    for position in stride(from: Int(header.constantsOffset), to: Self.file.count, by: 37) {
      var damaged = Self.file
      damaged[position] ^= 0x10
      #expect(Self.rejection(damaged).contains("constant section checksum"))
    }
  }

  /// Rewrites the header with `edit` applied and a valid header checksum, so the edit itself is what the
  /// loader sees.
  static func withHeader(_ edit: (inout PlanHeader) -> Void) throws -> [UInt8] {
    var header = try Self.header(of: Self.file)
    edit(&header)
    return header.serialized() + Self.file.dropFirst(PlanHeader.size)
  }

  @Test func hostileHeaderValuesAreRejected() throws {
    let cases: [(String, (inout PlanHeader) -> Void, String)] = [
      ("huge metadata offset", { $0.metadataOffset = .max }, "does not fit"),
      ("huge metadata length", { $0.metadataLength = .max - 64 }, "does not fit"),
      ("metadata inside the header", { $0.metadataOffset = 64 }, "does not fit"),
      ("huge constants offset", { $0.constantsOffset = 1 << 62 }, "does not fit"),
      ("huge constants length", { $0.constantsLength = 1 << 63 }, "does not fit"),
      ("misaligned constants", { $0.constantsOffset -= 8 }, "aligned"),
      ("overlapping sections", { $0.metadataLength += 64 }, "overlap"),
      ("newer format", { $0.formatVersion = 6 }, "format version 6"),
      ("version-4 format, with F(4x4) weights at other points", { $0.formatVersion = 4 }, "format version 4"),
      ("version-3 format, without float16 rounding", { $0.formatVersion = 3 }, "format version 3"),
      ("version-1 format, without MatMul perms", { $0.formatVersion = 1 }, "format version 1"),
      ("version-2 format, without activation layouts", { $0.formatVersion = 2 }, "format version 2"),
      ("metadata checksum", { $0.metadataChecksum ^= 1 }, "metadata checksum"),
      ("constants checksum", { $0.constantsChecksum ^= 1 }, "constant section checksum"),
    ]
    for (name, edit, fragment) in cases {
      let message = Self.rejection(try Self.withHeader(edit))
      #expect(message.contains(fragment), "\(name): \(message)")
    }
    var wrongMagic = Self.file
    wrongMagic[0] = UInt8(ascii: "X")
    #expect(Self.rejection(wrongMagic).contains("RESPLAN"))
    var wrongSize = try Self.withHeader { _ in }
    wrongSize[12] = 64
    #expect(Self.rejection(wrongSize).contains("header checksum"))
  }

  @Test func requiredFeaturesAreChecked() throws {
    #if arch(x86_64)
      let absent: CPUFeatures = .neon
    #else
      let absent: CPUFeatures = .avx2
    #endif
    let missing = Self.rejection(try Self.withHeader { $0.requiredFeatures = absent }, kind: .unsupportedCPU)
    #expect(missing.contains("lacks"))
    let unknown = Self.rejection(try Self.withHeader { $0.requiredFeatures = CPUFeatures(rawValue: 1 << 40) }, kind: .unsupportedCPU)
    #expect(unknown.contains("unknown"))
    // Inspecting such a plan still works; running it does not.
    let plan = try Plan(bytes: try Self.withHeader { $0.requiredFeatures = absent }, checkCPUFeatures: false)
    #expect(plan.stepCount == 6)
    #expect(throws: RuntimeError.self) { try Runner(plan) }
  }

  @Test func metadataThatDoesNotDecodeIsRejected() throws {
    let garbage = PlanFile.assemble(
      metadata: [0xFF, 0xFF, 0xFF, 0xFF, 0x0F], constants: [], producer: "x", requiredFeatures: [])
    #expect(Self.rejection(garbage).contains("does not decode"))
  }

  @Test func filesAreMappedAndFileErrorsAreClear() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rescompile-plan-tests-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("model.resplan")
    try Data(Self.file).write(to: url)
    let plan = try Plan(contentsOf: url)
    #expect(plan.kernelNames == ["f32_conv_nchw_generic", "f32_pool", "f32_gemm_generic", "f32_softmax", "gather", "pad"])
    let empty = directory.appendingPathComponent("empty.resplan")
    try Data().write(to: empty)
    for (path, kind, fragment) in [
      (directory.appendingPathComponent("missing.resplan").path, RuntimeError.Kind.io, "cannot open"),
      (empty.path, .invalidPlan, "is empty"), (directory.path, .io, "not a regular file"),
    ] {
      do {
        _ = try Plan(contentsOf: path)
        Issue.record("\(path) loaded")
      } catch {
        #expect(error.kind == kind)
        #expect(error.message.contains(fragment), "\(error.message)")
      }
    }
  }
}
