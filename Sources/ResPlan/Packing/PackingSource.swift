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

  /// The elements at `offset + j·stride` for `j` in 0..<count (at most 8), of packed rows `row + j`, as
  /// doubles (zero past `count`): one tap of the filters of consecutive output channels, which the Winograd
  /// transform reads at once.
  func eightElements(at offset: Int, stride: Int, row: Int, count: Int) -> SIMD8<Double>

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
  func eightElements(at offset: Int, stride: Int, row: Int, count: Int) -> SIMD8<Double> {
    if count == 8 { return SIMD8<Double>(Self.eight(base + offset, stride: stride)) }
    var lanes = SIMD8<Float>()
    for lane in 0..<count { lanes[lane] = base[offset &+ lane &* stride] }
    return SIMD8<Double>(lanes)
  }

  /// Eight floats `stride` apart, built in registers: assigned lane by lane in a loop of unknown length, the
  /// vector went through the stack, most of the compiler's Winograd weight transform on ResNet-50.
  @inline(__always)
  static func eight(_ first: UnsafePointer<Float>, stride: Int) -> SIMD8<Float> {
    SIMD8<Float>(
      first[0], first[stride], first[2 &* stride], first[3 &* stride], first[4 &* stride], first[5 &* stride],
      first[6 &* stride], first[7 &* stride])
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
  func eightElements(at offset: Int, stride: Int, row: Int, count: Int) -> SIMD8<Double> {
    if count == 8 {
      let first = base + offset &* 4
      @inline(__always) func at(_ lane: Int) -> Float {
        first.loadUnaligned(fromByteOffset: lane &* stride &* 4, as: Float.self)
      }
      // Built in registers, as `PlainPackingSource.eight` builds its vector.
      let lanes = SIMD8<Float>(at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7))
      let factors = UnsafeRawPointer(rowScales + row).loadUnaligned(as: SIMD8<Double>.self)
      return SIMD8<Double>(SIMD8<Float>(SIMD8<Double>(lanes) * factors))
    }
    var lanes = SIMD8<Float>()
    var factors = SIMD8<Double>()
    for lane in 0..<count {
      lanes[lane] = base.loadUnaligned(fromByteOffset: (offset &+ lane &* stride) &* 4, as: Float.self)
      factors[lane] = rowScales[row &+ lane]
    }
    // Each lane rounds its own product once, as `element(at:row:)` does.
    return SIMD8<Double>(SIMD8<Float>(SIMD8<Double>(lanes) * factors))
  }

  func packRows(
    at offset: Int, firstRow: Int, rowStride: Int, depthStride: Int, rows: Int, depth: Int, width: Int,
    into panel: UnsafeMutablePointer<Float>
  ) {
    for i in 0..<rows {
      let factor = rowScales[firstRow + i]
      let row = base + (offset + i * rowStride) * 4
      var k = 0
      // Contiguous steps (a convolution's or a Gemm's weight) are scaled eight at a time: the same rounding
      // per element, a quarter of the compiler's packing time on ResNet-50.
      if depthStride == 1 {
        while k + 8 <= depth {
          let values = row.loadUnaligned(fromByteOffset: k &* 4, as: SIMD8<Float>.self)
          let scaled = SIMD8<Float>(SIMD8<Double>(values) * factor)
          let column = panel + (k &* width &+ i)
          for j in 0..<8 { column[j &* width] = scaled[j] }
          k += 8
        }
      }
      while k < depth {
        panel[k * width + i] = Float(
          Double(row.loadUnaligned(fromByteOffset: k &* depthStride &* 4, as: Float.self)) * factor)
        k += 1
      }
    }
    for k in 0..<depth {
      for i in rows..<width { panel[k * width + i] = 0 }
    }
  }
}

/// The floats of a row-major tensor at any alignment, read in place: a weight borrowed from a model file sits
/// wherever its protobuf field put it, and copying it to aligned memory first cost a fresh allocation of the
/// whole weight (VGG-16's 411 MB fully connected weight, zero-filled page by page, then copied).
struct UnalignedPackingSource: PackingSource {
  let base: UnsafeRawPointer

  @inline(__always)
  func element(at offset: Int, row: Int) -> Float {
    base.loadUnaligned(fromByteOffset: offset &* 4, as: Float.self)
  }

  @inline(__always)
  func eightElements(at offset: Int, stride: Int, row: Int, count: Int) -> SIMD8<Double> {
    var lanes = SIMD8<Float>()
    if count == 8 {
      let first = base + offset &* 4
      @inline(__always) func at(_ lane: Int) -> Float {
        first.loadUnaligned(fromByteOffset: lane &* stride &* 4, as: Float.self)
      }
      lanes = SIMD8<Float>(at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7))
    } else {
      for lane in 0..<count { lanes[lane] = element(at: offset &+ lane &* stride, row: row &+ lane) }
    }
    return SIMD8<Double>(lanes)
  }

  func packRows(
    at offset: Int, firstRow: Int, rowStride: Int, depthStride: Int, rows: Int, depth: Int, width: Int,
    into panel: UnsafeMutablePointer<Float>
  ) {
    if rowStride == 1 && rows == 16 && width == 16 {
      // A MatMul's `[K, N]` weight: each reduction step is sixteen adjacent floats.
      for k in 0..<depth {
        let values = base.loadUnaligned(fromByteOffset: (offset &+ k &* depthStride) &* 4, as: SIMD16<Float>.self)
        UnsafeMutableRawPointer(panel + k &* 16).storeBytes(of: values, as: SIMD16<Float>.self)
      }
      return
    }
    for i in 0..<rows {
      let row = base + (offset + i * rowStride) * 4
      var k = 0
      // A convolution's or a Gemm's weight: each row's steps are adjacent, read eight at a time.
      if depthStride == 1 {
        while k + 8 <= depth {
          let values = row.loadUnaligned(fromByteOffset: k &* 4, as: SIMD8<Float>.self)
          let column = panel + (k &* width &+ i)
          for j in 0..<8 { column[j &* width] = values[j] }
          k += 8
        }
      }
      while k < depth {
        panel[k * width + i] = row.loadUnaligned(fromByteOffset: k &* depthStride &* 4, as: Float.self)
        k += 1
      }
    }
    for k in 0..<depth {
      for i in rows..<width { panel[k * width + i] = 0 }
    }
  }
}
