import ResCodegen
import ResIR
import ResPlan
import SwiftProtobuf
import Testing

/// A plan file read back the way a runtime reads it: sections found and checked by `PlanFile.sections`, the
/// metadata decoded with the generated protobuf type. Tests check what the file says, not what the generator
/// meant to write.
struct DecodedPlan {
  let header: PlanHeader
  let metadata: Rescompile_Plan_PlanMetadata
  let constants: [UInt8]

  init(_ bytes: [UInt8]) throws {
    let (header, metadata, constants) = try bytes.withUnsafeBytes { raw in
      let sections = try PlanFile.sections(of: raw)
      return (sections.header, [UInt8](sections.metadata), [UInt8](sections.constants))
    }
    self.header = header
    self.metadata = try Rescompile_Plan_PlanMetadata(serializedBytes: metadata)
    self.constants = constants
  }

  var steps: [Rescompile_Plan_Step] { metadata.steps }
  var kernels: [String] { metadata.steps.map(\.kernel) }

  func steps(_ kernel: KernelID) -> [Rescompile_Plan_Step] {
    metadata.steps.filter { $0.kernel == kernel.rawValue }
  }

  func buffer(_ index: UInt32) -> Rescompile_Plan_Buffer {
    metadata.buffers[Int(index)]
  }

  func shape(_ index: UInt32) -> [Int] {
    buffer(index).shape.map { Int($0) }
  }

  func isConstant(_ index: UInt32) -> Bool {
    if case .constantOffset = buffer(index).storage { return true }
    return false
  }

  /// The buffer bound to graph output `position`.
  func output(_ position: Int = 0) -> Rescompile_Plan_Buffer {
    buffer(metadata.outputs[position].buffer)
  }

  /// The elements of a constant f32 buffer, in row-major order (unpacked when the plan stores them packed; a
  /// transformed packing cannot be undone and is recorded as an issue: read it with `storedFloats`).
  func floats(_ index: UInt32) -> [Float] {
    let buffer = buffer(index)
    guard buffer.hasPacking, let layout = PanelLayout(buffer.packing) else { return elements(index, Float.self) }
    let packed = storedFloats(index)
    var values = [Float](repeating: .nan, count: Int(buffer.shape.reduce(1, *)))
    let unpacked = packed.withUnsafeBufferPointer { source in
      values.withUnsafeMutableBufferPointer { layout.unpack(source.baseAddress!, into: $0.baseAddress!) }
    }
    if !unpacked { Issue.record("buffer \(index) is transformed (\(layout)); it has no row-major values") }
    return values
  }

  /// The floats a packed constant buffer stores, as they are in the constant section (`floatCount` of its
  /// layout).
  func storedFloats(_ index: UInt32) -> [Float] {
    let buffer = buffer(index)
    guard let layout = PanelLayout(buffer.packing) else { return [] }
    return constants.withUnsafeBytes { raw in
      (0..<layout.floatCount).map {
        raw.loadUnaligned(fromByteOffset: Int(buffer.constantOffset) + $0 * 4, as: Float.self)
      }
    }
  }

  /// The layout a constant buffer is packed in, or nil when it is row-major.
  func packing(_ index: UInt32) -> PanelLayout? {
    let buffer = buffer(index)
    return buffer.hasPacking ? PanelLayout(buffer.packing) : nil
  }

  func int64s(_ index: UInt32) -> [Int64] {
    elements(index, Int64.self)
  }

  private func elements<T: BitwiseCopyable>(_ index: UInt32, _ type: T.Type) -> [T] {
    let buffer = buffer(index)
    let count = buffer.shape.reduce(1, *)
    let offset = Int(buffer.constantOffset)
    return constants.withUnsafeBytes { raw in
      (0..<Int(count)).map { raw.loadUnaligned(fromByteOffset: offset + $0 * MemoryLayout<T>.size, as: T.self) }
    }
  }
}
