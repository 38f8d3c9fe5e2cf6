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
    if case .panels(let layout) = self, let scaling = source.scaling,
      let rowScales = Self.rowScales(of: scaling, in: layout)
    {
      // A batch-norm-folded weight is packed from the unscaled weight, scaled on the way: its scaled bytes
      // are never computed on their own.
      let target = destination.bindMemory(to: Float.self, capacity: layout.floatCount)
      scaling.source.withUnsafeBytes { raw in
        guard let base = raw.baseAddress else { return }
        rowScales.withUnsafeBufferPointer { factors in
          if let first = factors.baseAddress { layout.pack(base, rowScales: first, into: target) }
        }
      }
      return
    }
    source.withUnsafeBytes { raw in
      guard let base = raw.baseAddress, !raw.isEmpty else { return }
      switch self {
      case .onnx:
        destination.copyMemory(from: base, byteCount: raw.count)
      case .panels(let layout):
        let target = destination.bindMemory(to: Float.self, capacity: layout.floatCount)
        if Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0 {
          layout.pack(base.assumingMemoryBound(to: Float.self), into: target)
        } else {
          // Bytes borrowed from a model file may sit at any offset; floats are read from an aligned copy.
          TensorBytes(copying: raw).withUnsafeBytes { aligned in
            if let alignedBase = aligned.baseAddress {
              layout.pack(alignedBase.assumingMemoryBound(to: Float.self), into: target)
            }
          }
        }
      }
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
