/// The panel layout a microkernel reads a constant operand in, and the pure transforms into and out of it.
///
/// One description serves the compiler, which packs weights into the plan (ResCodegen), and the runtime, which
/// computes the layout each step's kernel wants and uses a plan's packed bytes in place when they are in exactly
/// that layout (ResRuntime). The operand is `matrices` matrices of `rows × depth` elements; each is stored as
/// `⌈rows / width⌉` panels of `depth × width` floats: panel `p` holds rows `p·width ..< p·width + width`, for
/// each reduction step `k` its `width` values side by side, zeros past the last row. Element `(m, r, k)` is
/// read from the row-major tensor at `m·matrixStride + r·rowStride + k·depthStride`, so a transposed operand, a
/// convolution's `[M, C/g, kh, kw]` weights and a MatMul's `[batch, K, N]` B are all just strides.
/// (plan.proto's `PanelPacking` is this value on the wire.)
///
/// A layout with a `winogradOutputTile` describes 3×3 convolution weights transformed for Winograd's
/// `F(m×m, 3×3)` first (`WinogradFilter`): its matrices are the frequencies of each group, and its strides
/// name the ONNX-layout filters the transform reads. Such a packing is not a permutation and cannot be undone.
public struct PanelLayout: Sendable, Hashable, CustomStringConvertible {
  /// The largest panel width a plan may declare: wider than any vector of floats, small enough that sizes
  /// computed from it cannot overflow once the element count is known not to.
  public static let widestPanel = 64

  public let width: Int
  public let matrices: Int
  public let rows: Int
  public let depth: Int
  public let matrixStride: Int
  public let rowStride: Int
  public let depthStride: Int
  /// `m` of the Winograd `F(m×m, 3×3)` the weights are transformed for, 0 when they are only packed.
  public let winogradOutputTile: Int
  /// The stride of the 3×3 convolution the Winograd transform is for: 1, or 2 (`WinogradFilter`'s strided
  /// transform, only with `m = 4`). 1 when the weights are only packed.
  public let winogradStride: Int

  public init(
    width: Int, matrices: Int, rows: Int, depth: Int, matrixStride: Int, rowStride: Int, depthStride: Int,
    winogradOutputTile: Int = 0, winogradStride: Int = 1
  ) {
    self.width = width
    self.matrices = matrices
    self.rows = rows
    self.depth = depth
    self.matrixStride = matrixStride
    self.rowStride = rowStride
    self.depthStride = depthStride
    self.winogradOutputTile = winogradOutputTile
    self.winogradStride = winogradStride
  }

  /// Whether the packed values are a transform of the weights (Winograd's) rather than the weights themselves.
  public var isTransformed: Bool { winogradOutputTile != 0 }

  /// Floats of one matrix's panels (its rows rounded up to a whole panel).
  public var floatsPerMatrix: Int { (rows + width - 1) / width * width * depth }

  /// Floats of the whole packed operand.
  public var floatCount: Int { matrices * floatsPerMatrix }

  public var description: String {
    let panels = "\(matrices)x\(rows)x\(depth) in \(width)-wide panels, strides \(matrixStride)/\(rowStride)/\(depthStride)"
    guard isTransformed else { return panels }
    let stride = winogradStride == 1 ? "" : " stride \(winogradStride)"
    return "Winograd F(\(winogradOutputTile)x\(winogradOutputTile), 3x3)\(stride) " + panels
  }

  /// Why this layout cannot describe a tensor of `elementCount` floats, or nil when it can: the width is 1 to
  /// `widestPanel`, the matrices cover exactly the elements, every element index lies inside the tensor, and
  /// the packed size does not overflow. A plan's descriptors are untrusted; this runs before any is used.
  public func problem(elementCount: Int) -> String? {
    guard (1...Self.widestPanel).contains(width) else { return "panel width \(width) is not 1 to \(Self.widestPanel)" }
    guard matrices >= 0, rows >= 0, depth >= 0, matrixStride >= 0, rowStride >= 0, depthStride >= 0 else {
      return "a size or stride is negative"
    }
    if isTransformed { return winogradProblem(elementCount: elementCount) }
    guard winogradStride == 1 else { return "a Winograd stride \(winogradStride) without a Winograd output tile" }
    let (perMatrix, overflow) = rows.multipliedReportingOverflow(by: depth)
    let (covered, tooMany) = perMatrix.multipliedReportingOverflow(by: matrices)
    guard !overflow, !tooMany, covered == elementCount else {
      return "\(matrices) matrices of \(rows)x\(depth) do not cover the \(elementCount) elements"
    }
    guard covered > 0 else { return packedSizeProblem() }
    var last = 0
    for (count, stride) in [(matrices, matrixStride), (rows, rowStride), (depth, depthStride)] {
      let (reach, reachOverflow) = (count - 1).multipliedReportingOverflow(by: stride)
      let (sum, sumOverflow) = last.addingReportingOverflow(reach)
      guard !reachOverflow, !sumOverflow else { return "the strides overflow" }
      last = sum
    }
    guard last < elementCount else { return "the strides reach element \(last) of \(elementCount)" }
    return packedSizeProblem()
  }

  /// The checks of `problem` for a Winograd layout: a tile the runtime has, whole groups of frequencies, and
  /// exactly the strides of ONNX's `[M, C/g, 3, 3]` weights, which then cover the elements.
  private func winogradProblem(elementCount: Int) -> String? {
    guard WinogradFilter.outputTiles.contains(winogradOutputTile) else {
      return "Winograd output tile \(winogradOutputTile) is not one of \(WinogradFilter.outputTiles)"
    }
    guard winogradStride == 1 || (winogradStride == 2 && WinogradFilter.stridedOutputTiles.contains(winogradOutputTile))
    else {
      return "Winograd stride \(winogradStride) with output tile \(winogradOutputTile) is not one this format has"
    }
    let frequencies = (winogradOutputTile + 2) * (winogradOutputTile + 2)
    guard matrices % frequencies == 0 else { return "\(matrices) matrices are not whole groups of \(frequencies)" }
    let (filterFloats, o1) = depth.multipliedReportingOverflow(by: 9)
    let (groupFloats, o2) = filterFloats.multipliedReportingOverflow(by: rows)
    let (covered, o3) = groupFloats.multipliedReportingOverflow(by: matrices / frequencies)
    guard !(o1 || o2 || o3), covered == elementCount else {
      return "\(matrices / frequencies) groups of \(rows)x\(depth) 3x3 filters do not cover the \(elementCount) elements"
    }
    guard depthStride == 9, rowStride == filterFloats, matrixStride == groupFloats else {
      return "the strides are not those of [M, C/g, 3, 3] filters"
    }
    return packedSizeProblem()
  }

  /// Whether the packed size, in bytes, overflows.
  private func packedSizeProblem() -> String? {
    // Padding at most doubles a matrix (width ≤ 64 extra rows per panel run); check the product anyway.
    let (roundedUp, roundingOverflow) = rows.addingReportingOverflow(width - 1)
    guard !roundingOverflow else { return "the packed size overflows" }
    let panels = roundedUp / width
    let (padded, paddedOverflow) = (panels * width).multipliedReportingOverflow(by: depth)
    let (total, totalOverflow) = padded.multipliedReportingOverflow(by: matrices)
    let (bytes, bytesOverflow) = total.multipliedReportingOverflow(by: 4)
    guard !paddedOverflow, !totalOverflow, !bytesOverflow, bytes >= 0 else { return "the packed size overflows" }
    return nil
  }

  /// Packs the row-major tensor at `source` into `destination` (`floatCount` floats), transforming it first
  /// when the layout is Winograd's.
  public func pack(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>) {
    pack(PlainPackingSource(base: source), into: destination)
  }

  /// `pack(_:into:)` from a row-major f32 tensor at any alignment (a weight borrowed from a model file, whose
  /// floats sit wherever its protobuf field put them), read in place.
  public func pack(unaligned source: UnsafeRawPointer, into destination: UnsafeMutablePointer<Float>) {
    pack(UnalignedPackingSource(base: source), into: destination)
  }

  /// Packs the row-major f32 tensor at `source` (any alignment) as `pack(_:into:)` would pack it after each
  /// element of row `r` of source matrix `m` was multiplied by `rowScales[m·rows + r]` and rounded once to
  /// `Float` (`Float(Double(x)·factor)`): the compiler packs a batch-norm-folded weight straight from the
  /// model's weight and the BatchNormalization's per-channel factors, bit for bit the folded weight's packing,
  /// without writing the folded weight out first. `rowScales` holds `sourceMatrices·rows` factors.
  public func pack(
    _ source: UnsafeRawPointer, rowScales: UnsafePointer<Double>, into destination: UnsafeMutablePointer<Float>
  ) {
    pack(RowScaledPackingSource(base: source, rowScales: rowScales), into: destination)
  }

  /// Panels of the packed operand, over all its matrices: panel `m·panelsPerMatrix + p` is panel `p` of
  /// matrix `m`, and the packed operand is these panels one after another.
  public var panelCount: Int { matrices * panelsPerMatrix }

  /// Floats of one panel.
  public var floatsPerPanel: Int { width * depth }

  private var panelsPerMatrix: Int { (rows + width - 1) / width }

  /// Packs only `panels` (numbered as in `panelCount`) of the tensor at `source` (any alignment), the first
  /// of them at `destination`: the floats `pack(unaligned:into:)` writes from `panels.lowerBound ·
  /// floatsPerPanel` on. The compiler packs a large weight this way a few megabytes at a time, into a buffer
  /// that stays in the cache. With `rowScales`, scaled as `pack(_:rowScales:into:)` scales. Not for a
  /// transformed layout, whose transform writes every frequency of a filter at once.
  public func pack(
    unaligned source: UnsafeRawPointer, rowScales: UnsafePointer<Double>? = nil, panels: Range<Int>,
    into destination: UnsafeMutablePointer<Float>
  ) {
    precondition(!isTransformed, "a Winograd layout is packed whole")
    precondition(panels.lowerBound >= 0 && panels.upperBound <= panelCount, "panels outside the packed operand")
    if let rowScales {
      packPanels(RowScaledPackingSource(base: source, rowScales: rowScales), panels, into: destination)
    } else {
      packPanels(UnalignedPackingSource(base: source), panels, into: destination)
    }
  }

  /// The matrices of the row-major tensor: `matrices`, except for a Winograd layout, which packs each of its
  /// groups (one matrix of 3×3 filters) as one matrix per frequency.
  public var sourceMatrices: Int {
    isTransformed ? matrices / ((winogradOutputTile + 2) * (winogradOutputTile + 2)) : matrices
  }

  /// The elements row `row` of source matrix `matrix` (below `sourceMatrices`) reads, from its first to its
  /// last (a Winograd row reads whole 3×3 filters): the rows of `pack(_:rowScales:into:)` must each read
  /// within one run of a scaled channel.
  public func sourceElements(matrix: Int, row: Int) -> ClosedRange<Int> {
    let first = matrix * matrixStride + row * rowStride
    let last = first + max(depth - 1, 0) * depthStride + (isTransformed ? 8 : 0)
    return first...last
  }

  private func pack<Source: PackingSource>(_ source: Source, into destination: UnsafeMutablePointer<Float>) {
    if isTransformed {
      WinogradFilter.transform(source, layout: self, into: destination)
      return
    }
    packPanels(source, 0..<panelCount, into: destination)
  }

  /// Packs `panels` of an untransformed layout, the first at `destination`, matrix by matrix.
  private func packPanels<Source: PackingSource>(
    _ source: Source, _ panels: Range<Int>, into destination: UnsafeMutablePointer<Float>
  ) {
    let perMatrix = panelsPerMatrix
    guard perMatrix > 0 else { return }
    var panel = panels.lowerBound
    while panel < panels.upperBound {
      let matrix = panel / perMatrix
      let end = min(panels.upperBound, (matrix + 1) * perMatrix)
      packPanels(
        source, matrix: matrix, (panel - matrix * perMatrix)..<(end - matrix * perMatrix),
        into: destination + (panel - panels.lowerBound) * floatsPerPanel)
      panel = end
    }
  }

  /// Packs `panels` of matrix `matrix`, the first at `destination`.
  private func packPanels<Source: PackingSource>(
    _ source: Source, matrix: Int, _ panels: Range<Int>, into destination: UnsafeMutablePointer<Float>
  ) {
    // Rows stored contiguously (a convolution's weight) are read whole, one sequential stream per row.
    let chunk = depthStride == 1 ? max(depth, 1) : Self.packingDepthChunk
    var first = 0
    while first < depth {
      let steps = min(chunk, depth - first)
      for panel in panels {
        let row = panel * width
        source.packRows(
          at: matrix * matrixStride + row * rowStride + first * depthStride, firstRow: matrix * rows + row,
          rowStride: rowStride, depthStride: depthStride, rows: min(width, rows - row), depth: steps, width: width,
          into: destination + (panel - panels.lowerBound) * floatsPerPanel + first * width)
      }
      first += steps
    }
  }

  /// Reduction steps packed across all of a matrix's panels before the next steps: a MatMul's `[K, N]` weight
  /// packed panel after panel would read each of its K rows once per panel, thousands of pages apart (2048
  /// columns: every read a TLB miss); in chunks, the chunk's rows stay cached while every panel takes its part.
  /// A weight whose steps are contiguous is the opposite case: chunks of it read 256 bytes of each row, rows
  /// kilobytes apart, and ResNet-50's 1×1 weights packed at a fraction of the memory's speed.
  private static let packingDepthChunk = 64

  /// The inverse of `pack`: writes every element of the packed operand back to its row-major place in
  /// `destination` (a tensor of `matrices·rows·depth` floats). Used when a plan's packing is not the one the
  /// runtime's kernel reads, to repack from. A transformed layout cannot be undone: it writes nothing and
  /// returns false.
  @discardableResult
  public func unpack(_ packed: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>) -> Bool {
    guard !isTransformed else { return false }
    for matrix in 0..<matrices {
      let panels = packed + matrix * floatsPerMatrix
      for row in 0..<rows {
        let panel = panels + row / width * width * depth + row % width
        let target = destination + matrix * matrixStride + row * rowStride
        for k in 0..<depth { target[k * depthStride] = panel[k * width] }
      }
    }
    return true
  }

  /// One panel: `panel[k·width + i] = source[i·rowStride + k·depthStride]` for `i < rows`, 0 for
  /// `rows ≤ i < width`. Also how the GEMM packs a block of a computed A while it runs.
  public static func packRows(
    _ source: UnsafePointer<Float>, rowStride: Int, depthStride: Int, rows: Int, depth: Int, width: Int,
    into panel: UnsafeMutablePointer<Float>
  ) {
    if rows == 6 && width == 6 {
      packSixRows(source, rowStride: rowStride, depthStride: depthStride, depth: depth, into: panel)
      return
    }
    if rows == 16 && width == 16 && rowStride == 1 {
      packSixteenContiguousRows(source, depthStride: depthStride, depth: depth, into: panel)
      return
    }
    for k in 0..<depth {
      let destination = panel + k * width
      let column = source + k * depthStride
      for i in 0..<rows { destination[i] = column[i * rowStride] }
      for i in rows..<width { destination[i] = 0 }
    }
  }

  /// A full 16-wide panel whose rows are adjacent in memory (a MatMul's `[K, N]` B, packed by the compiler and
  /// by the runtime for a computed B): each reduction step is one 16-float copy.
  @inline(__always)
  private static func packSixteenContiguousRows(
    _ source: UnsafePointer<Float>, depthStride: Int, depth: Int, into panel: UnsafeMutablePointer<Float>
  ) {
    let raw = UnsafeRawPointer(source)
    let destination = UnsafeMutableRawPointer(panel)
    for k in 0..<depth {
      let values = raw.loadUnaligned(fromByteOffset: k &* depthStride &* 4, as: SIMD16<Float>.self)
      destination.storeBytes(of: values, toByteOffset: k &* 64, as: SIMD16<Float>.self)
    }
  }

  /// A full panel of the 6 × 16 GEMM kernel, six row pointers and no inner loop: a MatMul packs every
  /// activation row this way at run time, and in a ViT the generic loop (a loop over the rows and another over
  /// the zero padding at every reduction step) took 15 % of the run.
  @inline(__always)
  private static func packSixRows(
    _ source: UnsafePointer<Float>, rowStride: Int, depthStride: Int, depth: Int,
    into panel: UnsafeMutablePointer<Float>
  ) {
    let (r0, r1, r2) = (source, source + rowStride, source + 2 * rowStride)
    let (r3, r4, r5) = (source + 3 * rowStride, source + 4 * rowStride, source + 5 * rowStride)
    var destination = panel
    var offset = 0
    for _ in 0..<depth {
      destination[0] = r0[offset]
      destination[1] = r1[offset]
      destination[2] = r2[offset]
      destination[3] = r3[offset]
      destination[4] = r4[offset]
      destination[5] = r5[offset]
      destination += 6
      offset += depthStride
    }
  }
}
