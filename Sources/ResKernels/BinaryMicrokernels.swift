/// The f32 arithmetic of two operands on the vector lanes.
public enum BinaryOperation: String, Sendable, Hashable, CaseIterable {
  case add
  case sub
  case mul
  case div
  /// numpy's `maximum`/`minimum`: NaN if either operand is NaN.
  case max
  case min
  /// ONNX PRelu, `a < 0 ? a · b : a` (b the slope): a −0 or NaN `a` passes through.
  case prelu

  @inline(__always)
  public func callAsFunction(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
    switch self {
    case .add: return a + b
    case .sub: return a - b
    case .mul: return a * b
    case .div: return a / b
    case .max: return a.replacing(with: b, where: (b .> a) .| (b .!= b))
    case .min: return a.replacing(with: b, where: (b .< a) .| (b .!= b))
    case .prelu: return a.replacing(with: a * b, where: a .< 0)
    }
  }
}

/// How the two operands of one row of a broadcast binary operation are read: each is either a contiguous
/// row as long as the output or one value repeated (numpy broadcasting reduced to its innermost axis).
public enum BinaryPattern: String, Sendable, Hashable, CaseIterable {
  case vectorVector = "vv"
  case vectorScalar = "vs"
  case scalarVector = "sv"
}

/// `y[i] = a[i] ⊙ b[i]` over one row, with either operand possibly a single repeated value.
public enum BinaryMicrokernels {
  /// One row of `count` outputs. `y` may be `a` or `b` (same row, in place).
  public static func run(
    _ operation: BinaryOperation, _ pattern: BinaryPattern, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    _ y: UnsafeMutablePointer<Float>, count: Int
  ) {
    switch operation {
    case .add: row(pattern, a, b, y, count) { $0 + $1 }
    case .sub: row(pattern, a, b, y, count) { $0 - $1 }
    case .mul: row(pattern, a, b, y, count) { $0 * $1 }
    case .div: row(pattern, a, b, y, count) { $0 / $1 }
    case .max: row(pattern, a, b, y, count) { BinaryOperation.max($0, $1) }
    case .min: row(pattern, a, b, y, count) { BinaryOperation.min($0, $1) }
    case .prelu: row(pattern, a, b, y, count) { BinaryOperation.prelu($0, $1) }
    }
  }

  @inline(__always)
  private static func row(
    _ pattern: BinaryPattern, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
    _ count: Int, _ operation: (SIMD16<Float>, SIMD16<Float>) -> SIMD16<Float>
  ) {
    switch pattern {
    case .vectorVector:
      chunks(count) { offset, width in
        VectorAccess.storePartial(
          operation(VectorAccess.loadPartial(a + offset, width), VectorAccess.loadPartial(b + offset, width)),
          y + offset, width)
      }
    case .vectorScalar:
      let scalar = SIMD16<Float>(repeating: b[0])
      chunks(count) { offset, width in
        VectorAccess.storePartial(operation(VectorAccess.loadPartial(a + offset, width), scalar), y + offset, width)
      }
    case .scalarVector:
      let scalar = SIMD16<Float>(repeating: a[0])
      chunks(count) { offset, width in
        VectorAccess.storePartial(operation(scalar, VectorAccess.loadPartial(b + offset, width)), y + offset, width)
      }
    }
  }

  /// Calls `body(offset, width)` for consecutive 16-element chunks of `0..<count` (the last may be shorter).
  @inline(__always)
  static func chunks(_ count: Int, _ body: (Int, Int) -> Void) {
    // Whole chunks with the constant width 16, so the body's partial loads and stores fold to plain ones in
    // the loop; the tail separately.
    var offset = 0
    while count - offset >= 16 {
      body(offset, 16)
      offset += 16
    }
    if offset < count { body(offset, count - offset) }
  }
}

/// `y[i] = act(x[i]·scale + shift + residual[i])`: inference BatchNormalization (or the IR's ScaleShift) folded
/// to one multiply and one add per element, with its fused residual and activation applied in the same pass,
/// while the values are still in registers.
public enum ScaleShiftMicrokernel {
  /// One run of `count` elements of one channel. `residual` nil adds nothing; `y` may be `x` or `residual`
  /// (in place).
  public static func run(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, scale: Float, shift: Float,
    residual: UnsafePointer<Float>? = nil, activation: PointwiseFunction = .identity
  ) {
    let scales = SIMD16<Float>(repeating: scale)
    let shifts = SIMD16<Float>(repeating: shift)
    if let residual {
      BinaryMicrokernels.chunks(count) { offset, width in
        let affine = VectorAccess.loadPartial(x + offset, width) * scales + shifts
        let sum = affine + VectorAccess.loadPartial(residual + offset, width)
        VectorAccess.storePartial(activation(sum), y + offset, width)
      }
    } else {
      BinaryMicrokernels.chunks(count) { offset, width in
        let affine = VectorAccess.loadPartial(x + offset, width) * scales + shifts
        VectorAccess.storePartial(activation(affine), y + offset, width)
      }
    }
  }

  /// `positions` channels-last rows of `channels` elements: each row's channels against the vectors of
  /// `scale` and `shift` (the same arithmetic as `run`, per element). `y` may be `x` or `residual`.
  public static func runChannelsLast(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, positions: Int, channels: Int,
    scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, residual: UnsafePointer<Float>? = nil,
    activation: PointwiseFunction = .identity
  ) {
    for position in 0..<positions {
      let row = position * channels
      BinaryMicrokernels.chunks(channels) { offset, width in
        let scales = VectorAccess.loadPartial(scale + offset, width)
        let shifts = VectorAccess.loadPartial(shift + offset, width)
        var value = VectorAccess.loadPartial(x + row + offset, width) * scales + shifts
        if let residual { value += VectorAccess.loadPartial(residual + row + offset, width) }
        VectorAccess.storePartial(activation(value), y + row + offset, width)
      }
    }
  }
}
