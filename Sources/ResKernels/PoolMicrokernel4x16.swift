/// The f32 pooling microkernel: 4 output rows × 16 output columns of one plane, maximum or mean.
///
/// The same shape as `DepthwiseMicrokernel4x16` (four independent row accumulators, taps read from the
/// padded plane by vector loads, even lanes at stride 2, gathers otherwise) with a maximum or a sum instead
/// of the multiply-add. The generic pooling loop it replaces worked element by element and cost more than a
/// ResNet's first convolution.
public enum PoolMicrokernel4x16 {
  public static let rows = 4
  public static let columns = 16

  public static func run(_ tile: PoolTile) {
    let last = tile.rows - 1
    let row0 = tile.input
    let row1 = tile.input + min(1, last) * tile.inputRowStride
    let row2 = tile.input + min(2, last) * tile.inputRowStride
    let row3 = tile.input + min(3, last) * tile.inputRowStride
    var results: (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>)
    switch (tile.reduction, tile.columnStride) {
    case (.maximum, 1): results = maximum(tile, row0, row1, row2, row3) { VectorAccess.load($0) }
    case (.maximum, 2): results = maximum(tile, row0, row1, row2, row3) { VectorAccess.loadEvenLanes($0) }
    case (.maximum, let stride):
      let columns = tile.columns
      results = maximum(tile, row0, row1, row2, row3) { VectorAccess.gather($0, stride: stride, columns) }
    case (.mean(let scale), 1):
      results = sum(tile, row0, row1, row2, row3, scale) { VectorAccess.load($0) }
    case (.mean(let scale), 2):
      results = sum(tile, row0, row1, row2, row3, scale) { VectorAccess.loadEvenLanes($0) }
    case (.mean(let scale), let stride):
      let columns = tile.columns
      results = sum(tile, row0, row1, row2, row3, scale) { VectorAccess.gather($0, stride: stride, columns) }
    }
    store(results.0, row: 0, tile)
    store(results.1, row: 1, tile)
    store(results.2, row: 2, tile)
    store(results.3, row: 3, tile)
  }

  /// The four rows' maxima over every tap. A NaN is kept once met: a lane takes the new value when it is
  /// larger or NaN, and nothing is larger than NaN.
  @inline(__always)
  static func maximum(
    _ tile: PoolTile, _ row0: UnsafePointer<Float>, _ row1: UnsafePointer<Float>, _ row2: UnsafePointer<Float>,
    _ row3: UnsafePointer<Float>, _ load: (UnsafePointer<Float>) -> SIMD16<Float>
  ) -> (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>) {
    var m0 = SIMD16<Float>(repeating: -.infinity)
    var m1 = m0
    var m2 = m0
    var m3 = m0
    for tap in 0..<tile.tapCount {
      let offset = tile.taps[tap]
      let v0 = load(row0 + offset)
      let v1 = load(row1 + offset)
      let v2 = load(row2 + offset)
      let v3 = load(row3 + offset)
      m0.replace(with: v0, where: (v0 .> m0) .| (v0 .!= v0))
      m1.replace(with: v1, where: (v1 .> m1) .| (v1 .!= v1))
      m2.replace(with: v2, where: (v2 .> m2) .| (v2 .!= v2))
      m3.replace(with: v3, where: (v3 .> m3) .| (v3 .!= v3))
    }
    return (m0, m1, m2, m3)
  }

  /// The four rows' sums over every tap, times `scale`.
  @inline(__always)
  static func sum(
    _ tile: PoolTile, _ row0: UnsafePointer<Float>, _ row1: UnsafePointer<Float>, _ row2: UnsafePointer<Float>,
    _ row3: UnsafePointer<Float>, _ scale: Float, _ load: (UnsafePointer<Float>) -> SIMD16<Float>
  ) -> (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>) {
    var s0 = SIMD16<Float>()
    var s1 = SIMD16<Float>()
    var s2 = SIMD16<Float>()
    var s3 = SIMD16<Float>()
    for tap in 0..<tile.tapCount {
      let offset = tile.taps[tap]
      s0 += load(row0 + offset)
      s1 += load(row1 + offset)
      s2 += load(row2 + offset)
      s3 += load(row3 + offset)
    }
    return (s0 * scale, s1 * scale, s2 * scale, s3 * scale)
  }

  @inline(__always)
  static func store(_ values: SIMD16<Float>, row: Int, _ tile: PoolTile) {
    guard row < tile.rows else { return }
    VectorAccess.storePartial(values, tile.output + row * tile.outputRowStride, tile.columns)
  }
}
