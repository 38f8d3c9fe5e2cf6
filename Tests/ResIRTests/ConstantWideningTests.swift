import ResIR
import Testing

/// `Constant.widenedFromFloat16()`, which `promote-float16` uses on every weight of a float16 model: each
/// element is the float16 value exactly, specials included, in a float32 constant of the same shape.
@Suite struct ConstantWideningTests {
  @Test func everyFloat16PatternWidensExactly() {
    let patterns = (0...UInt16.max).map { $0 }
    let bytes = TensorBytes(copyingScalars: patterns)
    let half = Constant(dtype: .float16, dims: [2, patterns.count / 2], bytes: bytes)
    let widened = half.widenedFromFloat16()
    #expect(widened.dtype == .float32 && widened.dims == [2, patterns.count / 2])
    let floats = widened.bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    #expect(floats.count == patterns.count)
    let mismatches = zip(patterns, floats).filter { bits, value in
      let expected = Float(Float16(bitPattern: bits))
      return expected.isNaN ? !value.isNaN : expected.bitPattern != value.bitPattern
    }
    #expect(mismatches.isEmpty, "\(mismatches.prefix(4))")
  }
}
