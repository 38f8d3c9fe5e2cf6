import ResPlan
import ResTestSupport
@testable import ResRuntime

/// Builds plan files by hand for tests: buffers in the arena or the constant section, steps, graph inputs
/// and outputs, then the container bytes with correct checksums.
struct PlanBuilder {
  var metadata = Rescompile_Plan_PlanMetadata()
  var constants: [UInt8] = []
  var requiredFeatures: CPUFeatures = []
  /// Next free arena byte (every buffer gets its own 64-byte aligned region).
  private var arenaCursor = 0

  init() {
    metadata.producer = "rescompile tests"
    metadata.modelName = "test"
  }

  /// A new arena buffer; returns its index.
  @discardableResult
  mutating func arena(_ name: String, _ type: ElementType, _ shape: [Int]) -> UInt32 {
    var buffer = Rescompile_Plan_Buffer()
    buffer.name = name
    buffer.dtype = type.planType
    buffer.shape = shape.map(Int64.init)
    buffer.arenaOffset = UInt64(arenaCursor)
    arenaCursor += (shape.reduce(1, *) * type.byteWidth + 63) / 64 * 64
    metadata.arenaBytes = UInt64(arenaCursor)
    metadata.buffers.append(buffer)
    return UInt32(metadata.buffers.count - 1)
  }

  /// A buffer sharing the bytes of `base` at `byteOffset` (a reshaped view).
  @discardableResult
  mutating func view(_ name: String, of base: UInt32, _ type: ElementType, _ shape: [Int], byteOffset: Int = 0) -> UInt32 {
    var buffer = Rescompile_Plan_Buffer()
    buffer.name = name
    buffer.dtype = type.planType
    buffer.shape = shape.map(Int64.init)
    buffer.arenaOffset = metadata.buffers[Int(base)].arenaOffset + UInt64(byteOffset)
    metadata.buffers.append(buffer)
    return UInt32(metadata.buffers.count - 1)
  }

  /// A constant buffer holding `bytes` (64-byte aligned in the constant section).
  @discardableResult
  mutating func constant(_ name: String, _ type: ElementType, _ shape: [Int], bytes: [UInt8]) -> UInt32 {
    var buffer = Rescompile_Plan_Buffer()
    buffer.name = name
    buffer.dtype = type.planType
    buffer.shape = shape.map(Int64.init)
    buffer.constantOffset = UInt64(constants.count)
    constants += bytes
    constants += [UInt8](repeating: 0, count: (64 - constants.count % 64) % 64)
    metadata.buffers.append(buffer)
    return UInt32(metadata.buffers.count - 1)
  }

  @discardableResult
  mutating func constant(_ name: String, _ shape: [Int], floats: [Float]) -> UInt32 {
    constant(name, .f32, shape, bytes: floats.withUnsafeBytes { Array($0) })
  }

  @discardableResult
  mutating func constant<T: TensorScalar>(_ name: String, _ shape: [Int], values: [T]) -> UInt32 {
    constant(name, T.elementType, shape, bytes: values.withUnsafeBytes { Array($0) })
  }

  mutating func input(_ name: String, _ buffer: UInt32) {
    var binding = Rescompile_Plan_TensorBinding()
    binding.name = name
    binding.buffer = buffer
    metadata.inputs.append(binding)
  }

  mutating func output(_ name: String, _ buffer: UInt32) {
    var binding = Rescompile_Plan_TensorBinding()
    binding.name = name
    binding.buffer = buffer
    metadata.outputs.append(binding)
  }

  mutating func step(
    _ kernel: KernelID, inputs: [UInt32], outputs: [UInt32], _ params: Rescompile_Plan_Step.OneOf_Params?,
    name: String? = nil
  ) {
    var step = Rescompile_Plan_Step()
    step.name = name ?? "step\(metadata.steps.count)"
    step.kernel = kernel.rawValue
    step.inputs = inputs
    step.outputs = outputs
    step.params = params
    metadata.steps.append(step)
  }

  /// The file: header, metadata, constants.
  func bytes() -> [UInt8] {
    // Serializing a message built in code cannot fail.
    let encoded: [UInt8] = (try? metadata.serializedBytes()) ?? []
    return PlanFile.assemble(
      metadata: encoded, constants: constants, producer: metadata.producer, requiredFeatures: requiredFeatures)
  }

  func plan() throws(RuntimeError) -> Plan {
    try Plan(bytes: bytes())
  }
}

extension ElementType {
  var planType: Rescompile_Plan_DataType {
    switch self {
    case .f32: .f32
    case .f16: .f16
    case .f64: .f64
    case .i64: .i64
    case .i32: .i32
    case .i8: .i8
    case .u8: .u8
    case .bool: .bool
    }
  }
}

/// The shared seeded generator (ResTestSupport), named once for every file of this module.
typealias SeededGenerator = ResTestSupport.SeededGenerator
