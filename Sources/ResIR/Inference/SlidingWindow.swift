/// The window geometry that Conv and the pooling ops share: per spatial axis, a kernel of `kernel` taps
/// `dilation` apart, moved `stride` at a time over the input padded by `padding`.
///
/// Construction validates the attributes (positive kernel, strides and dilations; one entry per spatial
/// axis; non-negative pads), so `outputDim` can do plain arithmetic with overflow checks only.
struct SlidingWindow {
  let kernel: [Int]
  let strides: [Int]
  let dilations: [Int]
  let padding: Padding
  let ceilMode: Bool
  /// `(kernel - 1) · dilation + 1` per axis: the input span one window covers.
  let extents: [Int]

  init(
    kernel: [Int], strides: [Int], dilations: [Int], padding: Padding, ceilMode: Bool, spatialRank: Int,
    context: NodeContext
  ) throws(ModelError) {
    try SlidingWindow.requirePositive(kernel, "kernel_shape", spatialRank, context)
    try SlidingWindow.requirePositive(strides, "strides", spatialRank, context)
    try SlidingWindow.requirePositive(dilations, "dilations", spatialRank, context)
    if case .explicit(let pads) = padding {
      guard pads.count == 2 * spatialRank else {
        throw context.error(
          "pads \(listText(pads)) has \(pads.count) entries, expected \(2 * spatialRank) (begins, then ends)")
      }
      guard pads.allSatisfy({ $0 >= 0 }) else {
        throw context.error("pads \(listText(pads)) must not be negative")
      }
    }
    var extents: [Int] = []
    for (k, d) in zip(kernel, dilations) {
      let (span, overflow) = (k - 1).multipliedReportingOverflow(by: d)
      guard !overflow, span < Int.max else {
        throw context.error("kernel \(k) with dilation \(d) spans more than a 64-bit integer can count")
      }
      extents.append(span + 1)
    }
    self.kernel = kernel
    self.strides = strides
    self.dilations = dilations
    self.padding = padding
    self.ceilMode = ceilMode
    self.extents = extents
  }

  private static func requirePositive(_ values: [Int], _ name: String, _ spatialRank: Int, _ context: NodeContext)
    throws(ModelError)
  {
    guard values.count == spatialRank else {
      throw context.error(
        "\(name) \(listText(values)) has \(values.count) entries, expected \(spatialRank) (one per spatial axis)")
    }
    guard values.allSatisfy({ $0 > 0 }) else {
      throw context.error("\(name) \(listText(values)) must be positive")
    }
  }

  /// Begin and end pads of spatial axis `axis` when they are explicit.
  private func explicitPads(_ axis: Int) -> (begin: Int, end: Int)? {
    guard case .explicit(let pads) = padding else { return nil }
    return (pads[axis], pads[kernel.count + axis])
  }

  /// The output size along spatial axis `axis` for an input of size `input`.
  ///
  /// Explicit pads: `⌊(in + pads − extent) / stride⌋ + 1`, or the ceiling in ceil mode, minus one when the
  /// last window would start in the end padding (ONNX follows PyTorch there). SAME padding: `⌈in / stride⌉`.
  /// A symbolic size survives when the window preserves sizes (stride 1 and pads that add up to the extent
  /// minus one, like a 3×3 convolution with pad 1); otherwise it becomes unknown.
  func outputDim(axis: Int, input: Dim, context: NodeContext) throws(ModelError) -> Dim {
    let stride = strides[axis]
    guard case .known(let size) = input else {
      let preservesSize: Bool
      if let pads = explicitPads(axis) {
        let total = pads.begin.addingReportingOverflow(pads.end)
        preservesSize = stride == 1 && !total.overflow && total.partialValue == extents[axis] - 1
      } else {
        preservesSize = stride == 1
      }
      return preservesSize ? input : .unknown
    }
    guard let pads = explicitPads(axis) else {
      return .known(size / stride + (size % stride == 0 ? 0 : 1))
    }
    let (withBegin, overflow1) = size.addingReportingOverflow(pads.begin)
    let (padded, overflow2) = withBegin.addingReportingOverflow(pads.end)
    guard !overflow1, !overflow2 else {
      throw context.error("padded input size on spatial axis \(axis) overflows a 64-bit integer")
    }
    guard padded >= extents[axis] else {
      throw context.error(
        "window extent \(extents[axis]) is larger than the padded input size \(padded) on spatial axis \(axis)")
    }
    let span = padded - extents[axis]
    guard ceilMode else { return .known(span / stride + 1) }
    var count = span / stride + (span % stride == 0 ? 0 : 1) + 1
    // The last window must start inside the input or its begin padding.
    let (lastStart, overflow3) = (count - 1).multipliedReportingOverflow(by: stride)
    if overflow3 || lastStart >= withBegin { count -= 1 }
    return .known(count)
  }
}
