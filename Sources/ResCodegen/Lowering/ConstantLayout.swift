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
}
