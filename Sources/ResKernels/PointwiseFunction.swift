#if canImport(Darwin)
  import Darwin
#elseif canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A function applied to every element independently: the activations a GEMM or convolution epilogue
/// applies, the unary operators, and the gate functions of recurrent cells.
///
/// One enum serves all three so that an epilogue, a standalone `Relu` and an LSTM gate compute bit-identical
/// values. Every element goes through the 16-lane form (a tail is a zero-padded vector), so a value never
/// depends on where it sits in a buffer or on how work was split over threads.
public enum PointwiseFunction: Sendable, Hashable {
  case identity
  case relu
  /// Clamp to `[min, max]`; NaN stays NaN and `min > max` gives `max`, as numpy's `clip`.
  case clip(min: Float, max: Float)
  case leakyRelu(alpha: Float)
  case sigmoid
  case tanh
  /// `max(0, min(1, alpha·x + beta))`.
  case hardSigmoid(alpha: Float, beta: Float)
  /// `x · hardSigmoid(1/6, 1/2)(x)`.
  case hardSwish
  /// `x · sigmoid(x)`.
  case silu
  /// `x · tanh(softplus(x))` (`VectorMish`).
  case mish
  /// `x/2 · (1 + erf(x/√2))`.
  case gelu
  /// `x/2 · (1 + tanh(√(2/π)·(x + 0.044715·x³)))`.
  case geluTanh
  /// `x` where `x > alpha`, else 0.
  case thresholdedRelu(alpha: Float)
  /// `alpha · tanh(beta · x)`.
  case scaledTanh(alpha: Float, beta: Float)
  /// `alpha · x + beta`.
  case affine(alpha: Float, beta: Float)
  /// `x` where `x ≥ 0`, else `alpha · (eˣ − 1)`.
  case elu(alpha: Float)
  /// `x / (1 + |x|)`.
  case softsign
  /// `log(1 + eˣ)`, computed without overflow.
  case softplus
  case erf
  case sqrt
  /// `|x|`.
  case abs
  /// `−x`.
  case neg
  /// `eˣ` (`VectorExp`: within 2 ulp, 0 below the smallest normal result).
  case exp
  /// The natural logarithm, through the C library lane by lane (−∞ at 0, NaN below).
  case log
  case ceil
  case floor
  /// Half to even.
  case round
  case reciprocal
  /// Through the C library lane by lane.
  case sin
  case cos
  /// `clamp(round(x · scale), min, max)`, half to even: a quantized convolution's requantization of its
  /// integer sums to the next tensor's centred levels. The product is one float32 multiply (never fused with
  /// anything), as onnxruntime's requantization computes it, so ties round the same way.
  case requantize(scale: Float, min: Float, max: Float)

  /// The name used in microkernel names (`f32_relu_x16_avx2`).
  public var name: String {
    switch self {
    case .identity: "identity"
    case .relu: "relu"
    case .clip: "clip"
    case .leakyRelu: "leaky_relu"
    case .sigmoid: "sigmoid"
    case .tanh: "tanh"
    case .hardSigmoid: "hard_sigmoid"
    case .hardSwish: "hard_swish"
    case .silu: "silu"
    case .mish: "mish"
    case .gelu: "gelu"
    case .geluTanh: "gelu_tanh"
    case .thresholdedRelu: "thresholded_relu"
    case .scaledTanh: "scaled_tanh"
    case .affine: "affine"
    case .elu: "elu"
    case .softsign: "softsign"
    case .softplus: "softplus"
    case .erf: "erf"
    case .sqrt: "sqrt"
    case .abs: "abs"
    case .neg: "neg"
    case .exp: "exp"
    case .log: "log"
    case .ceil: "ceil"
    case .floor: "floor"
    case .round: "round"
    case .reciprocal: "reciprocal"
    case .sin: "sin"
    case .cos: "cos"
    case .requantize: "requantize"
    }
  }

  /// The function on 16 lanes. Piecewise-linear cases are a few vector instructions (`withInlineForm`); the
  /// others are one call to `curved(_:)`, which keeps each inlined epilogue small.
  @inline(__always)
  public func callAsFunction(_ v: SIMD16<Float>) -> SIMD16<Float> {
    withInlineForm { $0(v) } ?? curved(v)
  }

  /// Calls `body` with the function as a closure: its inline form (`withInlineForm`) where it has one, else
  /// `callAsFunction`. For a loop that applies the function vector by vector.
  @inlinable @inline(__always)
  public func withVectorForm<Result>(_ body: ((SIMD16<Float>) -> SIMD16<Float>) -> Result) -> Result {
    withInlineForm(body) ?? body { curved($0) }
  }

  /// Calls `body` with the function as a closure of a few vector instructions, for `body` to inline into its
  /// loop: nil for the transcendental cases. Called once per block of vectors, so the dispatch on the case
  /// happens once per block. A loop calling `callAsFunction` per vector got it out of line (its switch is too
  /// large to inline), each vector passed in 128-bit pieces through the stack: a hard-swish epilogue cost
  /// 6 ns a vector, three times the 16→96 convolution's multiply-adds at 112×112.
  @inlinable @inline(__always)
  func withInlineForm<Result>(_ body: ((SIMD16<Float>) -> SIMD16<Float>) -> Result) -> Result? {
    switch self {
    case .identity: return body { $0 }
    case .relu: return body { $0.replacing(with: 0, where: $0 .< 0) }
    case .clip(let low, let high):
      return body { v in
        let raised = v.replacing(with: low, where: v .< low)
        return raised.replacing(with: high, where: raised .> high)
      }
    case .leakyRelu(let alpha): return body { $0.replacing(with: $0 * alpha, where: $0 .< 0) }
    case .hardSigmoid(let alpha, let beta): return body { PointwiseFunction.unitClamp($0 * alpha + beta) }
    case .hardSwish: return body { PointwiseFunction.hardSwishOf($0) }
    case .affine(let alpha, let beta): return body { $0 * alpha + beta }
    case .thresholdedRelu(let alpha): return body { $0.replacing(with: 0, where: .!($0 .> alpha)) }
    case .softsign:
      return body { v in
        let magnitude = v.replacing(with: -v, where: v .< 0)
        return v / (1 + magnitude)
      }
    case .sqrt: return body { $0.squareRoot() }
    case .abs: return body { $0.replacing(with: -$0, where: $0 .< 0) }
    case .neg: return body { -$0 }
    case .ceil: return body { $0.rounded(.up) }
    case .floor: return body { $0.rounded(.down) }
    case .round: return body { $0.rounded(.toNearestOrEven) }
    case .reciprocal: return body { 1 / $0 }
    case .requantize(let scale, let low, let high):
      return body { v in
        let level = (v * scale).rounded(.toNearestOrEven)
        let raised = level.replacing(with: low, where: level .< low)
        return raised.replacing(with: high, where: raised .> high)
      }
    case .sigmoid, .tanh, .silu, .mish, .gelu, .geluTanh, .scaledTanh, .elu, .softplus, .erf, .exp, .log, .sin,
      .cos:
      return nil
    }
  }

  /// The transcendental cases: `erf` and the exact GELU by vector polynomials (`VectorErf`), `exp`, the
  /// sigmoid, SiLU, tanh and tanh-approximated GELU through `VectorExp`, the rest through the C library lane by
  /// lane.
  @usableFromInline @inline(never)
  func curved(_ v: SIMD16<Float>) -> SIMD16<Float> {
    switch self {
    case .gelu: return VectorErf.gelu(v)
    case .erf: return VectorErf.erf(v)
    case .sigmoid: return VectorSigmoid.sigmoid(v)
    case .tanh: return VectorTanh.tanh(v)
    case .silu: return VectorSigmoid.silu(v)
    case .mish: return VectorMish.mish(v)
    case .geluTanh: return VectorSigmoid.geluTanh(v)
    case .scaledTanh(let alpha, let beta): return alpha * VectorTanh.tanh(beta * v)
    case .elu(let alpha): return Transcendental.elu(alpha: alpha).lanes(v)
    case .softplus: return Transcendental.softplus.lanes(v)
    case .exp: return VectorExp.exp(v)
    case .log: return Transcendental.log.lanes(v)
    case .sin: return Transcendental.sin.lanes(v)
    case .cos: return Transcendental.cos.lanes(v)
    case .identity, .relu, .clip, .leakyRelu, .hardSigmoid, .hardSwish, .affine, .thresholdedRelu, .softsign, .sqrt,
      .abs, .neg, .ceil, .floor, .round, .reciprocal, .requantize:
      return withInlineForm { $0(v) } ?? v
    }
  }

  /// Applies the function to `count` vectors in place: a kernel's finished tile, with the dispatch on the
  /// function done once per tile rather than once per vector (the common activations then run as a plain
  /// loop in the caller's epilogue).
  @inline(__always)
  public func apply(vectors: UnsafeMutablePointer<SIMD16<Float>>, count: Int) {
    if case .identity = self { return }
    let inline: Void? = withInlineForm { function in
      for index in 0..<count { vectors[index] = function(vectors[index]) }
    }
    guard inline == nil else { return }
    switch self {
    case .gelu: VectorErf.gelu(vectors: vectors, count: count)
    case .erf: VectorErf.erf(vectors: vectors, count: count)
    case .sigmoid: VectorSigmoid.sigmoid(vectors: vectors, count: count)
    case .silu: VectorSigmoid.silu(vectors: vectors, count: count)
    case .mish: VectorMish.mish(vectors: vectors, count: count)
    case .exp: VectorExp.exp(vectors: vectors, count: count)
    case .geluTanh: VectorSigmoid.geluTanh(vectors: vectors, count: count)
    case .tanh: VectorTanh.tanh(vectors: vectors, count: count)
    case .identity, .relu, .clip, .leakyRelu, .hardSigmoid, .hardSwish, .thresholdedRelu,
      .scaledTanh, .affine, .elu, .softsign, .softplus, .sqrt, .abs, .neg, .log, .ceil, .floor, .round,
      .reciprocal, .sin, .cos, .requantize:
      for index in 0..<count { vectors[index] = curved(vectors[index]) }
    }
  }

  /// `y[i] = f(x[i])` for `i < count`. `x` and `y` may be the same buffer. The functions with loops of their
  /// own (`apply(vectors:count:)`) take the elements a block of vectors at a time.
  public func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    if hasVectorLoop {
      applyInBlocks(x, y, count: count)
      return
    }
    withVectorForm { function in Self.map(x, y, count: count, function) }
  }

  /// Whether `apply(vectors:count:)` runs this function in a loop of its own rather than vector by vector
  /// through `callAsFunction`, whose transcendental cases are out of line.
  private var hasVectorLoop: Bool {
    switch self {
    case .gelu, .erf, .sigmoid, .silu, .mish, .exp, .geluTanh, .tanh: true
    case .identity, .relu, .clip, .leakyRelu, .hardSigmoid, .hardSwish, .thresholdedRelu,
      .scaledTanh, .affine, .elu, .softsign, .softplus, .sqrt, .abs, .neg, .log, .ceil, .floor, .round,
      .reciprocal, .sin, .cos, .requantize:
      false
    }
  }

  /// `apply(_:_:count:)` through a stack block of vectors and `apply(vectors:count:)`. The block is 1 KB: a
  /// temporary allocation larger than that comes from the heap, and a recurrent step applying its gate
  /// functions to 16 units at a time spent 8 % of its time in malloc and free.
  private func applyInBlocks(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    let blockVectors = 16
    withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: blockVectors) { block in
      let vectors = block.baseAddress!
      var offset = 0
      while offset < count {
        let elements = min(blockVectors * 16, count - offset)
        let whole = elements / 16
        for index in 0..<whole { vectors[index] = VectorAccess.load(x + offset + index * 16) }
        let tail = elements - whole * 16
        if tail > 0 { vectors[whole] = VectorAccess.loadPartial(x + offset + whole * 16, tail) }
        apply(vectors: vectors, count: whole + (tail > 0 ? 1 : 0))
        for index in 0..<whole { VectorAccess.store(vectors[index], y + offset + index * 16) }
        if tail > 0 { VectorAccess.storePartial(vectors[whole], y + offset + whole * 16, tail) }
        offset += elements
      }
    }
  }

  /// `y[i] = function(x[i])`, 16 elements at a time, the tail as a partial vector.
  @inline(__always)
  private static func map(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
    _ function: (SIMD16<Float>) -> SIMD16<Float>
  ) {
    var offset = 0
    while offset + 16 <= count {
      VectorAccess.store(function(VectorAccess.load(x + offset)), y + offset)
      offset += 16
    }
    if offset < count {
      let remaining = count - offset
      VectorAccess.storePartial(function(VectorAccess.loadPartial(x + offset, remaining)), y + offset, remaining)
    }
  }

  /// `x · hardSigmoid(1/6, 1/2)(x)`: the hard swish, here so that an epilogue specialized for it
  /// (`HardSwishInRegisters`) computes the same bits without going through `callAsFunction`.
  @usableFromInline @inline(__always)
  static func hardSwishOf(_ v: SIMD16<Float>) -> SIMD16<Float> {
    v * unitClamp(v * (1 / 6 as Float) + 0.5)
  }

  @usableFromInline @inline(__always)
  static func unitClamp(_ v: SIMD16<Float>) -> SIMD16<Float> {
    let raised = v.replacing(with: 0, where: v .< 0)
    return raised.replacing(with: 1, where: raised .> 1)
  }
}

/// The cases of `PointwiseFunction` that still use the C library, computed lane by lane.
private enum Transcendental {
  case softplus, log, sin, cos
  case elu(alpha: Float)

  @inline(__always)
  func lanes(_ v: SIMD16<Float>) -> SIMD16<Float> {
    var result = v
    for lane in 0..<16 { result[lane] = self(v[lane]) }
    return result
  }

  func callAsFunction(_ x: Float) -> Float {
    switch self {
    case .elu(let alpha): return x >= 0 ? x : alpha * expm1f(x)
    case .softplus: return (x > 0 ? x : 0) + log1pf(expf(-Swift.abs(x)))
    case .log: return logf(x)
    case .sin: return sinf(x)
    case .cos: return cosf(x)
    }
  }
}
