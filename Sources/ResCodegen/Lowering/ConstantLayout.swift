import ResIR
import ResPlan

/// How a constant operand's bytes are arranged in the constant section for the kernel that reads it.
///
/// Most kernels read ONNX's row-major layout. The weights of a convolution, Gemm or MatMul are packed into the
/// panels their microkernel reads (`ConvMethod.weightLayout`, `DenseWeightLayouts`: the rules the runtime
/// applies too), so a loaded plan uses them in place. The lowering of each op family names the layout of its
/// weight operands (`StepOperand.weight`); the emitter writes the packed bytes straight into the plan file.
enum ConstantLayout: Hashable, Sendable {
  /// Row-major in ONNX's dimension order, little-endian elements: the constant's own bytes.
  case onnx
  /// f32 elements packed into panels; the plan's buffer records the layout (plan.proto `PanelPacking`).
  case panels(PanelLayout)

  /// The layout a plan buffer declares, nil for ONNX's.
  var packing: PanelLayout? {
    switch self {
    case .onnx: nil
    case .panels(let layout): layout
    }
  }

  /// Bytes of a constant of `sourceBytes` bytes in this layout.
  func byteCount(sourceBytes: Int) -> Int {
    switch self {
    case .onnx: sourceBytes
    case .panels(let layout): layout.floatCount * 4
    }
  }

  /// Writes `source` (row-major bytes) in this layout at `destination` (`byteCount(sourceBytes:)` bytes).
  func write(_ source: TensorBytes, into destination: UnsafeMutableRawPointer) {
    guard case .panels(let layout) = self else {
      source.withUnsafeBytes { raw in
        guard let base = raw.baseAddress, !raw.isEmpty else { return }
        destination.copyMemory(from: base, byteCount: raw.count)
      }
      return
    }
    let target = destination.bindMemory(to: Float.self, capacity: layout.floatCount)
    if let scaling = source.scaling, let rowScales = Self.rowScales(of: scaling, in: layout) {
      // A batch-norm-folded weight is packed from the unscaled weight, scaled on the way: its scaled bytes
      // are never computed on their own.
      scaling.source.withUnsafeBytes { raw in
        guard let base = raw.baseAddress else { return }
        rowScales.withUnsafeBufferPointer { factors in
          if let first = factors.baseAddress { layout.pack(base, rowScales: first, into: target) }
        }
      }
      return
    }
    // Bytes borrowed from a model file may sit at any offset: read in place, never copied to align them.
    source.withUnsafeBytes { raw in
      guard let base = raw.baseAddress, !raw.isEmpty else { return }
      layout.pack(unaligned: base, into: target)
    }
  }

  /// The panels of this layout cut into runs of about `bytes` bytes (at least one panel each), which
  /// `write(_:panels:into:)` packs one at a time; nil when the payload is written whole: ONNX's layout
  /// (copied from where it lies), Winograd's (its transform writes every frequency of a filter at once), and a
  /// payload of one run.
  func panelRuns(ofAbout bytes: Int) -> [Range<Int>]? {
    guard case .panels(let layout) = self, !layout.isTransformed, layout.panelCount > 0 else { return nil }
    let panelsPerRun = max(1, bytes / max(layout.floatsPerPanel * 4, 1))
    guard layout.panelCount > panelsPerRun else { return nil }
    return stride(from: 0, to: layout.panelCount, by: panelsPerRun).map {
      $0..<min($0 + panelsPerRun, layout.panelCount)
    }
  }

  /// Writes `panels` of `source` in this layout (`panelRuns(ofAbout:)`), the first at `destination`: the bytes
  /// `write(_:into:)` writes from the first panel's offset (`layout.floatsPerPanel · 4` bytes a panel) on.
  func write(_ source: TensorBytes, panels: Range<Int>, into destination: UnsafeMutableRawPointer) {
    guard case .panels(let layout) = self else { preconditionFailure("only a packed layout is written by panels") }
    let target = destination.bindMemory(to: Float.self, capacity: panels.count * layout.floatsPerPanel)
    if let scaling = source.scaling, let rowScales = Self.rowScales(of: scaling, in: layout) {
      scaling.source.withUnsafeBytes { raw in
        guard let base = raw.baseAddress else { return }
        rowScales.withUnsafeBufferPointer { factors in
          guard let first = factors.baseAddress else { return }
          layout.pack(unaligned: base, rowScales: first, panels: panels, into: target)
        }
      }
      return
    }
    source.withUnsafeBytes { raw in
      guard let base = raw.baseAddress, !raw.isEmpty else { return }
      layout.pack(unaligned: base, panels: panels, into: target)
    }
  }

  /// The factor of each row of `layout`'s source matrices, matrix by matrix, when every row reads elements of
  /// one run of `scaling` (a convolution's output channel: always, for the layouts the code generator packs
  /// convolution weights in); nil otherwise, and the scaled bytes are then packed as computed.
  private static func rowScales(of scaling: ChannelScaling, in layout: PanelLayout) -> [Double]? {
    guard layout.sourceMatrices > 0, layout.rows > 0 else { return nil }
    var factors: [Double] = []
    factors.reserveCapacity(layout.sourceMatrices * layout.rows)
    for matrix in 0..<layout.sourceMatrices {
      for row in 0..<layout.rows {
        let elements = layout.sourceElements(matrix: matrix, row: row)
        guard elements.lowerBound / scaling.inner == elements.upperBound / scaling.inner,
          elements.upperBound < scaling.elementCount
        else { return nil }
        factors.append(scaling.factor(ofElement: elements.lowerBound))
      }
    }
    return factors
  }
}
