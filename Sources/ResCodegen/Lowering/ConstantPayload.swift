import ResIR

/// A constant of the plan under construction: its row-major bytes and the layout the plan stores them in.
/// Packing happens only when the plan file is written, straight into the file's bytes.
struct ConstantPayload: Sendable {
  let bytes: TensorBytes
  let layout: ConstantLayout

  /// Bytes the payload takes in the constant section.
  var byteCount: Int { layout.byteCount(sourceBytes: bytes.count) }
}
