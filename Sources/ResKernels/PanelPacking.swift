import ResCPU

/// Copies matrix blocks into the panel layout the GEMM microkernels read (B panels; rows of A and constant
/// weights are packed by `PanelLayout.packRows` in ResPlan, which the compiler uses too).
///
/// A panel holds, for each reduction step `k`, `width` consecutive values (MR rows of A, or NR columns of B),
/// zero-filled past the valid ones: the microkernel then runs the same loop on an edge tile as on a full one.
/// Sources are read through arbitrary strides, so a transposed operand costs nothing extra here.
public enum PanelPacking {
  /// `panel[k·width + j] = source[k·depthStride + j·columnStride]` for `j < columns`, 0 up to `width`.
  /// Packs a B panel (`columns` of B, `depth` reduction steps); contiguous rows are copied a vector at a time.
  ///
  /// A 1×1 convolution's B rows are whole channel planes apart, a page or more, which the hardware
  /// prefetchers do not follow: each row's 16 values waited on memory, and packing was a quarter of
  /// ResNet-50's 256→64 step on 56×56. Each contiguous row therefore hints the cache to fetch its next 16
  /// values, which the panel to its right reads next (packing 26 % → 13 % of that step under perf).
  public static func packColumns(
    _ source: UnsafePointer<Float>, depthStride: Int, columnStride: Int, columns: Int, depth: Int, width: Int,
    into panel: UnsafeMutablePointer<Float>
  ) {
    if columnStride == 1 && width == 16 {
      for k in 0..<depth {
        let row = source + k * depthStride
        rescpu_prefetch_for_read(row + 16)
        VectorAccess.store(VectorAccess.loadPartial(row, columns), panel + k * 16)
      }
      return
    }
    if depthStride == 1 {
      packTransposedColumns(source, columnStride: columnStride, columns: columns, depth: depth, width: width, into: panel)
      return
    }
    for k in 0..<depth {
      let destination = panel + k * width
      let row = source + k * depthStride
      for j in 0..<columns { destination[j] = row[j * columnStride] }
      for j in columns..<width { destination[j] = 0 }
    }
  }

  /// `packColumns` of a transposed source, each column contiguous along the reduction (attention's `Kᵀ` read
  /// from K in place): 8 × 8 tiles regrouped in registers by `TransposeMicrokernel8x8`, eight vector loads and
  /// eight vector stores each, where element by element every value would be a load a whole column apart.
  static func packTransposedColumns(
    _ source: UnsafePointer<Float>, columnStride: Int, columns: Int, depth: Int, width: Int,
    into panel: UnsafeMutablePointer<Float>
  ) {
    let tile = TransposeMicrokernel8x8.size
    var column = 0
    while column < columns {
      let tileColumns = min(tile, columns - column)
      var k = 0
      while k < depth {
        TransposeMicrokernel8x8.run(
          source + column * columnStride + k, sourceStride: columnStride, panel + k * width + column,
          destinationStride: width, rows: tileColumns, columns: min(tile, depth - k))
        k += tile
      }
      column += tile
    }
    guard columns < width else { return }
    for k in 0..<depth {
      (panel + k * width + columns).update(repeating: 0, count: width - columns)
    }
  }

  /// `packColumns` with `transform` applied to each value of row `k` of the source as it is packed (row `k`
  /// of B is input channel `k` of a convolution with a prologue): one load, one multiply-add, the activation
  /// and one store per 16 values, no pass over memory of its own. Lanes past `columns` stay 0.
  ///
  /// The rows are whole channel planes apart, so each row's 16 values are a cache line of their own page that
  /// the hardware prefetchers do not predict; and the source is a tensor written long before (DenseNet's
  /// concatenation), not the cache-hot output of a step just run. Each row therefore hints the cache to fetch
  /// its next 16 values, which the panel to its right reads next.
  public static func packColumns(
    _ source: UnsafePointer<Float>, depthStride: Int, columnStride: Int, columns: Int, depth: Int, width: Int,
    transform: ChannelTransform, into panel: UnsafeMutablePointer<Float>
  ) {
    guard width == 16 else {
      packColumns(
        source, depthStride: depthStride, columnStride: columnStride, columns: columns, depth: depth, width: width,
        into: panel)
      for k in 0..<depth { transform.apply(row: k, panel + k * width, count: columns) }
      return
    }
    let live = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) .< Int32(clamping: columns)
    let partial = columns < 16
    transform.withRowFunction { function in
      for k in 0..<depth {
        let row = source + k * depthStride
        rescpu_prefetch_for_read(row + 16 * columnStride)
        let values =
          columnStride == 1
          ? VectorAccess.loadPartial(row, columns) : VectorAccess.gather(row, stride: columnStride, columns)
        let transformed = function(values, k)
        VectorAccess.store(partial ? transformed.replacing(with: 0, where: .!live) : transformed, panel + k * 16)
      }
    }
  }

  /// Packs the `rows × depth` operand whose element `(i, k)` is `source[k·depthStride + i]` (a row-major
  /// activation's channel planes, read with the positions as rows: `Xᵀ`) into panels of `width ≤ 16` rows,
  /// panel `p` at `panels + p·depth·width`, the last one zero-padded; `transform` (a convolution's prologue,
  /// step `k` = channel `k`) applied to each value as it is packed.
  ///
  /// Step by step, each step's row of positions read once from the left across every panel: the row is a
  /// contiguous run the hardware prefetchers follow, where panel by panel every step would be a short read a
  /// whole channel plane from the last (the planes of a 56x56 activation are 12.5 KB apart).
  public static func packPlaneRows(
    _ source: UnsafePointer<Float>, depthStride: Int, rows: Int, depth: Int, width: Int,
    transform: ChannelTransform?, into panels: UnsafeMutablePointer<Float>
  ) {
    precondition(width <= 16, "plane-row panels are at most one vector wide")
    if let transform {
      transform.withRowFunction { function in
        packPlaneRows(source, depthStride: depthStride, rows: rows, depth: depth, width: width, into: panels, function)
      }
    } else {
      packPlaneRows(source, depthStride: depthStride, rows: rows, depth: depth, width: width, into: panels) { v, _ in v }
    }
  }

  /// `packPlaneRows` with step `k`'s values mapped by `function(values, k)`.
  ///
  /// Six-row panels (the GEMM's A) take a whole 8-float vector per panel and step where the row has two more
  /// values to read: its two extra lanes land on the next step's first two slots, which that step then
  /// overwrites (the last step stores six). Two partial moves of four and two floats each way cost three
  /// times the instructions, and packing A was then a third of a DenseNet bottleneck's time.
  @inline(__always)
  private static func packPlaneRows(
    _ source: UnsafePointer<Float>, depthStride: Int, rows: Int, depth: Int, width: Int,
    into panels: UnsafeMutablePointer<Float>, _ function: (SIMD16<Float>, Int) -> SIMD16<Float>
  ) {
    let panelCount = (rows + width - 1) / width
    let fullPanels = rows / width
    let tail = rows - fullPanels * width
    // Computed once: inside the loop, the Int32 comparison was built lane by lane through the stack every
    // step (37 % of the packing's samples in DenseNet-121, whose 56x56, 14x14 and 7x7 blocks all end in a
    // partial panel).
    let padding = VectorLanes.index .>= Float(tail)
    let panelStride = depth * width
    // Panels whose 8-float read stays within the row.
    let wholeVectorPanels = width == 6 && rows >= 8 ? min(fullPanels, (rows - 8) / 6 + 1) : 0
    for k in 0..<depth {
      let row = source + k * depthStride
      var destination = panels + k * width
      if k + 1 < depth {
        for panel in 0..<wholeVectorPanels {
          let values = UnsafeRawPointer(row + panel * 6).loadUnaligned(as: SIMD8<Float>.self)
          let mapped = function(SIMD16(lowHalf: values, highHalf: SIMD8()), k).lowHalf
          UnsafeMutableRawPointer(destination).storeBytes(of: mapped, as: SIMD8<Float>.self)
          destination += panelStride
        }
      } else {
        for panel in 0..<wholeVectorPanels {
          let values = UnsafeRawPointer(row + panel * 6).loadUnaligned(as: SIMD8<Float>.self)
          let mapped = function(SIMD16(lowHalf: values, highHalf: SIMD8()), k).lowHalf
          let raw = UnsafeMutableRawPointer(destination)
          raw.storeBytes(of: mapped.lowHalf, as: SIMD4<Float>.self)
          raw.storeBytes(of: SIMD2(mapped[4], mapped[5]), toByteOffset: 16, as: SIMD2<Float>.self)
          destination += panelStride
        }
      }
      for panel in wholeVectorPanels..<fullPanels {
        let values = function(VectorAccess.loadPartial(row + panel * width, width), k)
        VectorAccess.storePartial(values, destination, width)
        destination += panelStride
      }
      if fullPanels < panelCount {
        let values = function(VectorAccess.loadPartial(row + fullPanels * width, tail), k)
        VectorAccess.storePartial(values.replacing(with: 0, where: padding), destination, width)
      }
    }
  }
}
