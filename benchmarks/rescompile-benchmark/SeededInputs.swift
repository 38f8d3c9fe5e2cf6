import ResRuntime

/// Deterministic inputs for every input of a plan, in memory the benchmark owns for the whole process.
///
/// Floating-point inputs are uniform in [-1, 1) (f16 ones in ±[0.125, 1)), so no kernel meets denormals or
/// overflow that would make its time unrepresentative; integer and bool inputs are zero, which is a valid
/// index for any Gather. The same seed gives the same bytes on every run and machine.
final class SeededInputs {
  let tensors: [String: Tensor]
  private let storage: [UnsafeMutableRawBufferPointer]

  init(for descriptions: [TensorDescription], seed: UInt64 = 0x5EED) throws(RuntimeError) {
    var generator = SplitMix64(seed: seed)
    var tensors: [String: Tensor] = [:]
    var storage: [UnsafeMutableRawBufferPointer] = []
    for description in descriptions {
      let count = description.shape.reduce(1, *)
      let bytes = UnsafeMutableRawBufferPointer.allocate(
        byteCount: max(1, count * description.elementType.byteWidth), alignment: 64)
      storage.append(bytes)
      SeededInputs.fill(bytes, count: count, elementType: description.elementType, &generator)
      tensors[description.name] = try Tensor(
        unsafeBorrowing: UnsafeRawBufferPointer(rebasing: bytes[0..<count * description.elementType.byteWidth]),
        elementType: description.elementType, shape: description.shape)
    }
    self.tensors = tensors
    self.storage = storage
  }

  deinit {
    for bytes in storage { bytes.deallocate() }
  }

  private static func fill(
    _ bytes: UnsafeMutableRawBufferPointer, count: Int, elementType: ElementType, _ generator: inout SplitMix64
  ) {
    switch elementType {
    case .f32:
      for index in 0..<count { bytes.storeBytes(of: generator.nextSigned(), toByteOffset: index * 4, as: Float.self) }
    case .f64:
      for index in 0..<count {
        bytes.storeBytes(of: Double(generator.nextSigned()), toByteOffset: index * 8, as: Double.self)
      }
    case .f16:
      for index in 0..<count {
        bytes.storeBytes(of: generator.nextHalfBits(), toByteOffset: index * 2, as: UInt16.self)
      }
    case .i64, .i32, .i8, .u8, .bool:
      bytes.initializeMemory(as: UInt8.self, repeating: 0)
    }
  }
}

/// Steele, Lea and Flood's SplitMix64: a tiny, well-mixed generator, enough for benchmark inputs.
struct SplitMix64 {
  private var state: UInt64

  init(seed: UInt64) {
    state = seed
  }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in [-1, 1), from the top 24 bits (every value exactly representable).
  mutating func nextSigned() -> Float {
    Float(next() >> 40) * (1.0 / 8_388_608.0) - 1
  }

  /// A binary16 bit pattern with magnitude in [0.125, 1) and a random sign: exponents 12–14, any mantissa.
  mutating func nextHalfBits() -> UInt16 {
    let random = next()
    let sign = UInt16(random & 1) << 15
    let exponent = UInt16(12 + (random >> 1) % 3) << 10
    let mantissa = UInt16((random >> 8) & 0x3FF)
    return sign | exponent | mantissa
  }
}
