import ResIR

extension ConvAttributes {
  /// How the convolution pads its input with zeros, for a reason; nil when it never reads a padded cell.
  ///
  /// Explicit pads (ONNX's `pads`, and `auto_pad` VALID or NOTSET, which the importer writes as explicit pads)
  /// pad when any is nonzero. `auto_pad` SAME pads `(⌈in/stride⌉ − 1)·stride + extent − in` cells per axis,
  /// which is zero for every input size when the dilated kernel extent is 1, that is for a kernel of size 1
  /// on every axis; for larger kernels it depends on the size and is nonzero for almost all of them, so it
  /// counts as padding.
  var zeroPadding: String? {
    switch padding {
    case .explicit(let pads):
      return pads.allSatisfy { $0 == 0 } ? nil : "pads \(pads)"
    case .sameUpper, .sameLower:
      guard kernelShape.contains(where: { $0 != 1 }) else { return nil }
      let mode = padding == .sameUpper ? "SAME_UPPER" : "SAME_LOWER"
      return "auto_pad \(mode) with kernel_shape \(kernelShape)"
    }
  }
}
