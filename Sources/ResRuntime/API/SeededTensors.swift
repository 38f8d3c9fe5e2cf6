/// Deterministic inputs for a plan when the caller has no data (`rescompile bench`): the same tensors for the
/// same seed on every machine, so two timings see the same values.
///
/// The rule follows the compiler's seeded inputs (ResReference's `SeededInputs`), which the runtime cannot
/// import: floats uniform in [-1, 1), integers in 0..<3 (in range as indices for any dimension of at least 3),
/// bools 0 or 1.
public enum SeededTensors {
  /// One tensor per plan input, by name.
  public static func make(for inputs: [TensorDescription], seed: UInt64) throws(RuntimeError) -> [String: Tensor] {
    var generator = SeedSequence(seed: seed)
    var tensors: [String: Tensor] = [:]
    for input in inputs {
      tensors[input.name] = try tensor(input, &generator)
    }
    return tensors
  }

  private static func tensor(_ input: TensorDescription, _ generator: inout SeedSequence) throws(RuntimeError)
    -> Tensor
  {
    let count = try Tensor.elementCount(input.shape)
    if input.elementType == .f32 {
      return try Tensor((0..<count).map { _ in Float(generator.uniform()) }, shape: input.shape)
    }
    var bytes = [UInt8](repeating: 0, count: count * input.elementType.byteWidth)
    bytes.withUnsafeMutableBytes { raw in
      guard let base = raw.baseAddress else { return }
      for index in 0..<count {
        let value: ScalarValue =
          input.elementType.isFloatingPoint
          ? .real(generator.uniform()) : .integer(Int64(generator.next() % (input.elementType == .bool ? 2 : 3)))
        value.write(input.elementType, base, index)
      }
    }
    return try Tensor(bytes: bytes, elementType: input.elementType, shape: input.shape)
  }
}

/// SplitMix64 (Vigna): tiny, fast, and the same sequence everywhere.
private struct SeedSequence {
  private var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in [-1, 1), from the top 53 bits.
  mutating func uniform() -> Double {
    Double(next() >> 11) / Double(1 << 53) * 2 - 1
  }
}
