import ResKernels

/// B packed once per run into the operator's shared scratch (with the convolution's prologue, if any), in `NR`-column panels over the whole reduction
/// (panel `p` at `base + p·depth·NR`), and read in place by every piece of the GEMM.
///
/// When a GEMM has more row tiles than column tiles (a 1×1 convolution on a 7×7 or 14×14 plane with hundreds
/// of output channels), `GemmPartition` cuts it along rows into several pieces per worker, and each piece
/// packed the whole of B again: four packings of MobileNetV2's 960×49 B where one suffices. Packing it once
/// before the pieces start keeps one packing on the critical path and the results bit-identical (the same
/// panels, read in the same order).
struct SharedPanels: PanelSource {
  let base: UnsafePointer<Float>
  let depth: Int

  /// Floats of the panels of a `depth × columns` B.
  static func floats(depth: Int, columns: Int) -> Int {
    let width = GemmDriver.kernel.nr
    return (columns + width - 1) / width * width * depth
  }

  /// Column panels of a `columns`-wide B.
  static func panelCount(columns: Int) -> Int {
    let width = GemmDriver.kernel.nr
    return (columns + width - 1) / width
  }

  /// Packs column panels `panels` of the `depth × columns` matrix `source[k·depthStride + j]` into
  /// `destination` (`floats(depth:columns:)` floats for the whole matrix), the last panel zero-padded, with
  /// `transform` (a convolution's prologue, row `k` = channel `k`) applied as it packs. Panels are disjoint,
  /// so workers may pack different ranges of one matrix at once.
  static func pack(
    _ source: UnsafePointer<Float>, depthStride: Int, depth: Int, columns: Int, panels: Range<Int>,
    transform: ChannelTransform?, into destination: UnsafeMutablePointer<Float>
  ) {
    let width = GemmDriver.kernel.nr
    for panel in panels {
      let column = panel * width
      let count = min(width, columns - column)
      if let transform {
        PanelPacking.packColumns(
          source + column, depthStride: depthStride, columnStride: 1, columns: count, depth: depth, width: width,
          transform: transform, into: destination + column * depth)
      } else {
        PanelPacking.packColumns(
          source + column, depthStride: depthStride, columnStride: 1, columns: count, depth: depth, width: width,
          into: destination + column * depth)
      }
    }
  }

  func packPanel(
    depthStart: Int, depth: Int, columnStart: Int, columns: Int, width: Int, into panel: UnsafeMutablePointer<Float>
  ) {
    let source = base + columnStart * self.depth + depthStart * width
    panel.update(from: source, count: depth * width)
  }

  func packedPanels(depthStart: Int, columnStart: Int) -> (base: UnsafePointer<Float>, stride: Int)? {
    let width = GemmDriver.kernel.nr
    return (base + columnStart * depth + depthStart * width, depth * width)
  }

  var isPrepacked: Bool { true }
}
