import ResIR

/// Explicit pads for a sliding window (Conv, MaxPool, AveragePool), so that plans never carry ONNX's
/// `SAME_UPPER`/`SAME_LOWER`: with static sizes the padding is a number.
enum WindowPadding {
  /// Begin pads for every spatial axis, then end pads.
  ///
  /// SAME padding makes the output `ceil(input / stride)` and pads whatever that needs, split evenly with the
  /// odd cell at the end (SAME_UPPER) or the beginning (SAME_LOWER): ONNX's and the importer's rule.
  static func explicitPads(
    _ padding: Padding, inputSizes: [Int], kernel: [Int], strides: [Int], dilations: [Int]
  ) -> [Int] {
    switch padding {
    case .explicit(let pads):
      return pads.isEmpty ? [Int](repeating: 0, count: 2 * inputSizes.count) : pads
    case .sameUpper, .sameLower:
      var begins: [Int] = []
      var ends: [Int] = []
      for axis in inputSizes.indices {
        let output = (inputSizes[axis] + strides[axis] - 1) / strides[axis]
        let extent = (kernel[axis] - 1) * dilations[axis] + 1
        let total = max(0, (output - 1) * strides[axis] + extent - inputSizes[axis])
        let small = total / 2
        begins.append(padding == .sameUpper ? small : total - small)
        ends.append(padding == .sameUpper ? total - small : small)
      }
      return begins + ends
    }
  }

  /// `values`, or `count` ones when the attribute was left empty (ONNX's default strides and dilations).
  static func orOnes(_ values: [Int], count: Int) -> [Int] {
    values.isEmpty ? [Int](repeating: 1, count: count) : values
  }
}
