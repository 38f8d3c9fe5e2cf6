/// Where `PanelLayout.pack` reads the row-major operand it packs: the floats themselves (the runtime, and most
/// of the compiler's weights), or floats scaled per packed row as they are read (the compiler's
/// batch-norm-folded weights, whose scaled values are never stored anywhere else).
///
/// A row is numbered across the source's matrices (`PanelLayout.sourceMatrices`: a Winograd layout's groups,
/// not its frequencies): row `r` of matrix `m` is `m·rows + r`, which for a convolution's `[M, C/g, k...]`
/// weight is output channel `m·(M/g) + r`, the channel BatchNormalization scales.
protocol PackingSource {
  /// The element at `offset` of the row-major operand, an element of packed row `row`.
  func element(at offset: Int, row: Int) -> Float

  /// The elements at `offset + j·stride` for `j` in 0..<4, all of packed row `row`, as doubles: the four
  /// taps the Winograd transform reads at once.
  func fourElements(at offset: Int, stride: Int, row: Int) -> SIMD4<Double>

  /// One panel of `rows` packed rows from `firstRow` on, whose first element is at `offset`:
  /// `panel[k·width + i] = element(offset + i·rowStride + k·depthStride, firstRow + i)` for `i < rows`,
  /// 0 for `rows ≤ i < width`.
  func packRows(
    at offset: Int, firstRow: Int, rowStride: Int, depthStride: Int, rows: Int, depth: Int, width: Int,
    into panel: UnsafeMutablePointer<Float>)
}

/// The floats of an aligned row-major tensor, packed by `PanelLayout.packRows` as the GEMM packs them.
struct PlainPackingSource: PackingSource {
  let base: UnsafePointer<Float>

  @inline(__always)
  func element(at offset: Int, row: Int) -> Float { base[offset] }

  @inline(__always)
  func fourElements(at offset: Int, stride: Int, row: Int) -> SIMD4<Double> {
    let first = base + offset
    return SIMD4<Double>(SIMD4<Float>(first[0], first[stride], first[2 &* stride], first[3 &* stride]))
  }

  @inline(__always)
  func packRows(
    at offset: Int, firstRow: Int, rowStride: Int, depthStride: Int, rows: Int, depth: Int, width: Int,
    into panel: UnsafeMutablePointer<Float>
  ) {
    PanelLayout.packRows(
      base + offset, rowStride: rowStride, depthStride: depthStride, rows: rows, depth: depth, width: width,
      into: panel)
  }
}

/// The floats of a row-major tensor at any alignment, each multiplied by its row's factor and rounded once,
/// `Float(Double(x)·factor)`: the rounding of the IR's `ChannelScaling`, so a weight packed from here is
/// bit for bit the weight scaled first and packed after.
struct RowScaledPackingSource: PackingSource {
  let base: UnsafeRawPointer
  /// One factor per packed row.
  let rowScales: UnsafePointer<Double>

  @inline(__always)
  func element(at offset: Int, row: Int) -> Float {
    Float(Double(base.loadUnaligned(fromByteOffset: offset &* 4, as: Float.self)) * rowScales[row])
  }

  @inline(__always)
  func fourElements(at offset: Int, stride: Int, row: Int) -> SIMD4<Double> {
    func load(_ j: Int) -> Float { base.loadUnaligned(fromByteOffset: (offset &+ j &* stride) &* 4, as: Float.self) }
    // Each lane rounds its own product once, as `element(at:row:)` does.
    let products = SIMD4<Double>(SIMD4<Float>(load(0), load(1), load(2), load(3))) * rowScales[row]
    return SIMD4<Double>(SIMD4<Float>(products))
  }

  func packRows(
    at offset: Int, firstRow: Int, rowStride: Int, depthStride: Int, rows: Int, depth: Int, width: Int,
    into panel: UnsafeMutablePointer<Float>
  ) {
    for i in 0..<rows {
      let factor = rowScales[firstRow + i]
      let row = base + (offset + i * rowStride) * 4
      for k in 0..<depth {
        panel[k * width + i] = Float(
          Double(row.loadUnaligned(fromByteOffset: k &* depthStride &* 4, as: Float.self)) * factor)
      }
    }
    for k in 0..<depth {
      for i in rows..<width { panel[k * width + i] = 0 }
    }
  }
}
