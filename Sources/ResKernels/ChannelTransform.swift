/// `act(x · scale[k] + shift[k])` for each row `k` of a matrix: a convolution's input prologue (a
/// pre-activation BatchNormalization and ReLU) applied to the channels of X while a GEMM packs them as its B
/// panels or copies them, so the transformed input is never written to memory of its own.
///
/// `scale` and `shift` point at row 0's values; `advanced(by:)` moves them to a later first row (a reduction
/// block that starts at `depthStart`).
public struct ChannelTransform {
  public let scale: UnsafePointer<Float>
  public let shift: UnsafePointer<Float>
  public let activation: PointwiseFunction

  public init(scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, activation: PointwiseFunction) {
    self.scale = scale
    self.shift = shift
    self.activation = activation
  }

  /// The same transform with row `rows` as its row 0.
  @inline(__always)
  public func advanced(by rows: Int) -> ChannelTransform {
    ChannelTransform(scale: scale + rows, shift: shift + rows, activation: activation)
  }

  /// Calls `body` with the function of 16 lanes this transform applies to row `k`'s values, the activation
  /// resolved once: ReLU and no activation are inlined into the caller's loop, the others call
  /// `PointwiseFunction`, which switches per vector.
  @inline(__always)
  public func withRowFunction(_ body: ((SIMD16<Float>, Int) -> SIMD16<Float>) -> Void) {
    let (scale, shift) = (self.scale, self.shift)
    switch activation {
    case .identity:
      body { v, k in SIMD16(repeating: shift[k]).addingProduct(v, scale[k]) }
    case .relu:
      body { v, k in
        let y = SIMD16(repeating: shift[k]).addingProduct(v, scale[k])
        return y.replacing(with: 0, where: y .< 0)
      }
    default:
      let activation = self.activation
      body { v, k in activation(SIMD16(repeating: shift[k]).addingProduct(v, scale[k])) }
    }
  }

  /// Transforms `count` values of row `k` in place, 16 at a time.
  public func apply(row k: Int, _ values: UnsafeMutablePointer<Float>, count: Int) {
    withRowFunction { function in
      var column = 0
      while column + 16 <= count {
        VectorAccess.store(function(VectorAccess.load(values + column), k), values + column)
        column += 16
      }
      if column < count {
        let rest = count - column
        VectorAccess.storePartial(function(VectorAccess.loadPartial(values + column, rest), k), values + column, rest)
      }
    }
  }
}
