/// The f32 depthwise-convolution microkernel for small planes: one block of 16 channels over a whole image,
/// read from a copy of the block's input plane with its padding written out (`ChannelsLastDepthwisePlaneTile`),
/// six output positions at a time (four where vectors are narrower than 512 bits: `sixPositionGroups`).
///
/// Why a copy: on a 6×6 or 12×12 plane most positions are border positions, which the row kernel
/// (`ChannelsLastDepthwiseMicrokernel`) takes one at a time from a list of their taps inside the input, one
/// weight load and one offset load per multiply-add: MNASNet's 5×5 layers on 480 channels at 6×6 took
/// 15 µs against onnxruntime's 8. Padded, every window is whole and every tap a constant offset, so a block
/// of 16 channels streams through its plane with one input load per multiply-add.
///
/// A padded tap adds `weight × 0`, a zero, to a sum that starts at +0: the sum is never −0, so the zero
/// leaves it unchanged and each position's sum has the bits of the listed taps' (summed in the same
/// row-major order). An infinite or NaN weight makes a border sum NaN, as ONNX's zero-padded input does.
public enum ChannelsLastDepthwisePlaneMicrokernel {
  public static let lanes = 16
  public static let positions = 6
  /// Whether rows go six positions at a time (`positions`), or four: six sums are six registers where a vector
  /// register holds 16 floats (AVX-512), but twelve of AVX2's sixteen (24 of NEON's 32), where a 3×3 row's
  /// eight input vectors beside them made the compiler spill on every tap. Each position's sum is the same
  /// chain of multiply-adds either way, so the bits do not change.
  static var sixPositionGroups: Bool { BuildISA.hasAVX512F }

  /// Computes every output position of `tile`'s block. A whole block's epilogue is applied in registers
  /// where the activation is a clip, hard swish or SiLU (`RegisterActivation`), through a buffer otherwise.
  public static func run(_ tile: ChannelsLastDepthwisePlaneTile) {
    switch tile.activation {
    case .hardSwish: run(tile, HardSwishInRegisters())
    case .silu: run(tile, SiLUInRegisters())
    default: run(tile, tile.activation.clipBounds.map { ClipInRegisters(low: $0.0, high: $0.1) })
    }
  }

  @inline(__always)
  static func run<Activation: RegisterActivation>(_ tile: ChannelsLastDepthwisePlaneTile, _ activation: Activation?) {
    let unitColumns = tile.dilationX == 1 && (tile.strideX == 1 || tile.strideX == 2)
    switch (tile.kernelHeight, tile.kernelWidth, unitColumns ? tile.strideX : 0) {
    case (3, 3, 1): run(tile, FixedWeights<3, 3>(tile), activation, ratio: InlineArray<1, Int>.self)
    case (3, 3, 2): run(tile, FixedWeights<3, 3>(tile), activation, ratio: InlineArray<2, Int>.self)
    case (5, 5, 1): run(tile, FixedWeights<5, 5>(tile), activation, ratio: InlineArray<1, Int>.self)
    case (5, 5, 2): run(tile, FixedWeights<5, 5>(tile), activation, ratio: InlineArray<2, Int>.self)
    default: run(tile, MemoryWeights(tile), activation, ratio: InlineArray<0, Int>.self)
    }
  }

  /// The whole plane, row by row in groups of six positions. `ratio` is the column stride when the window's
  /// columns are consecutive (dilation 1) and the stride 1 or 2, 0 otherwise: with it every tap of a group is
  /// a constant offset from the group's origin, and the compiler loads each input vector a row of the group
  /// shares once (a 3×3 row at stride 1: 8 loads for 18 multiply-adds).
  @inline(never)
  static func run<Weights: PlaneWindowWeights, let ratio: Int, Activation: RegisterActivation>(
    _ tile: ChannelsLastDepthwisePlaneTile, _ weights: Weights, _ activation: Activation?,
    ratio _: InlineArray<ratio, Int>.Type
  ) {
    for y in 0..<tile.outputHeight {
      let row = tile.plane + (y &* tile.strideY &* tile.planeWidth &* lanes)
      var x = 0
      if sixPositionGroups {
        while tile.outputWidth - x >= positions {
          let group = sums(tile, weights, row: row, x: x, ratio, as: InlineArray<6, SIMD16<Float>>.self)
          finish(group, tile, y: y, x: x, activation)
          x += positions
        }
        if tile.outputWidth - x >= 4 {
          let group = sums(tile, weights, row: row, x: x, ratio, as: InlineArray<4, SIMD16<Float>>.self)
          finish(group, tile, y: y, x: x, activation)
          x += 4
        }
      } else {
        while tile.outputWidth - x >= 4 {
          let group = sums(tile, weights, row: row, x: x, ratio, as: InlineArray<4, SIMD16<Float>>.self)
          finish(group, tile, y: y, x: x, activation)
          x += 4
        }
      }
      if tile.outputWidth - x >= 2 {
        let group = sums(tile, weights, row: row, x: x, ratio, as: InlineArray<2, SIMD16<Float>>.self)
        finish(group, tile, y: y, x: x, activation)
        x += 2
      }
      if x < tile.outputWidth {
        let group = sums(tile, weights, row: row, x: x, ratio, as: InlineArray<1, SIMD16<Float>>.self)
        finish(group, tile, y: y, x: x, activation)
      }
    }
  }

  /// The sums of `count` consecutive output positions from column `x` of the output row whose windows start
  /// in plane row `row`, taps in row-major order.
  @inline(__always)
  static func sums<let count: Int, Weights: PlaneWindowWeights>(
    _ tile: ChannelsLastDepthwisePlaneTile, _ weights: Weights, row: UnsafePointer<Float>, x: Int, _ ratio: Int,
    as: InlineArray<count, SIMD16<Float>>.Type
  ) -> InlineArray<count, SIMD16<Float>> {
    let rowStep = tile.dilationY &* tile.planeWidth &* lanes
    let tapStep = ratio > 0 ? lanes : tile.dilationX &* lanes
    let positionStep = ratio > 0 ? ratio &* lanes : tile.strideX &* lanes
    let origin = row + x &* positionStep
    var sums = InlineArray<count, SIMD16<Float>>(repeating: SIMD16<Float>())
    for ky in 0..<weights.height {
      let windowRow = origin + ky &* rowStep
      for kx in 0..<weights.width {
        let weight = weights.weight(ky &* weights.width &+ kx)
        for index in 0..<count {
          // One multiple of the lane count per tap and position: equal offsets are visibly equal.
          let offset = ratio > 0 ? (kx &+ ratio &* index) &* lanes : kx &* tapStep &+ index &* positionStep
          VectorArithmetic.multiplyAdd(&sums[index], weight, VectorAccess.load(windowRow + offset))
        }
      }
    }
    return sums
  }

  /// Bias, residual and activation on `count` positions' sums, in the row kernel's order, then the stores
  /// (only the block's `lanes` channels).
  @inline(__always)
  static func finish<let count: Int, Activation: RegisterActivation>(
    _ sums: InlineArray<count, SIMD16<Float>>, _ tile: ChannelsLastDepthwisePlaneTile, y: Int, x: Int,
    _ activation: Activation?
  ) {
    let first = (y &* tile.outputWidth &+ x) &* tile.outputStride
    let whole = tile.lanes == lanes
    if whole, let activation {
      // In registers, the arithmetic below with the activation's own (`RegisterActivation`).
      let bias = VectorAccess.load(tile.bias)
      let prepared = activation.prepared
      for index in 0..<count {
        let offset = first &+ index &* tile.outputStride
        var value = sums[index]
        if tile.bias != nil { value += bias }
        if let residual = tile.residual { value += VectorAccess.load(residual + offset) }
        VectorAccess.store(Activation.apply(prepared, value), tile.output + offset)
      }
      return
    }
    withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: count) { buffer in
      let vectors = buffer.baseAddress!
      let bias = whole ? VectorAccess.load(tile.bias) : VectorAccess.loadPartial(tile.bias, tile.lanes)
      for index in 0..<count {
        var value = sums[index]
        if tile.bias != nil { value += bias }
        if let residual = tile.residual {
          let at = residual + (first &+ index &* tile.outputStride)
          value += whole ? VectorAccess.load(at) : VectorAccess.loadPartial(at, tile.lanes)
        }
        vectors[index] = value
      }
      tile.activation.apply(vectors: vectors, count: count)
      for index in 0..<count {
        let at = tile.output + (first &+ index &* tile.outputStride)
        if whole {
          VectorAccess.store(vectors[index], at)
        } else {
          VectorAccess.storePartial(vectors[index], at, tile.lanes)
        }
      }
    }
  }
}

/// A window's weights for one block of 16 channels, tap by tap in row-major order.
protocol PlaneWindowWeights {
  var height: Int { get }
  var width: Int { get }
  func weight(_ tap: Int) -> SIMD16<Float>
}

extension ChannelsLastDepthwisePlaneMicrokernel {
  /// A window of a size known when compiling (3×3, 5×5), so that its taps are unrolled. The weights are read
  /// from the tile (the first-level cache) once per tap of six positions: held in an array of registers for
  /// the whole plane, they were copied as 1.6 KB through memory on every call.
  struct FixedWeights<let rows: Int, let columns: Int>: PlaneWindowWeights {
    let weights: UnsafePointer<Float>
    let weightStride: Int

    init(_ tile: ChannelsLastDepthwisePlaneTile) { (weights, weightStride) = (tile.weights, tile.weightStride) }

    var height: Int { rows }
    var width: Int { columns }

    @inline(__always)
    func weight(_ tap: Int) -> SIMD16<Float> { VectorAccess.load(weights + tap &* weightStride) }
  }

  /// Any other window.
  struct MemoryWeights: PlaneWindowWeights {
    let weights: UnsafePointer<Float>
    let weightStride: Int
    let height: Int
    let width: Int

    init(_ tile: ChannelsLastDepthwisePlaneTile) {
      (weights, weightStride, height, width) = (tile.weights, tile.weightStride, tile.kernelHeight, tile.kernelWidth)
    }

    @inline(__always)
    func weight(_ tap: Int) -> SIMD16<Float> { VectorAccess.load(weights + tap &* weightStride) }
  }
}
