/// The sliding-window geometry of a convolution or pooling step along its spatial axes, validated and padded
/// to three axes (a 1-D or 2-D window has leading axes of size 1), so one loop nest serves 1-D, 2-D and 3-D.
struct WindowAxes: Sendable {
  var input: [Int]
  var output: [Int]
  var kernel: [Int]
  var strides: [Int]
  var dilations: [Int]
  var padsBegin: [Int]
  var padsEnd: [Int]

  /// Products of `input`, `output` and `kernel`, computed with overflow checks (`setOutput`).
  private(set) var inputPlane = 0
  private(set) var outputPlane = 0
  private(set) var kernelVolume = 0

  /// Reads and checks the window attributes of a step whose spatial input sizes are `input`: kernel sizes
  /// (from `kernelShape`, or `defaultKernel` when the list is empty), strides and dilations ≥ 1 (empty means
  /// all 1), explicit pads ≥ 0 (begins then ends; empty means 0). The output sizes are left for the caller to
  /// compute (`floorOutput` / `ceilOutput`) and compare with the output buffer.
  init(
    input spatialInput: [Int], kernelShape: [Int64], defaultKernel: [Int]?, strides: [Int64], dilations: [Int64],
    pads: [Int64], operands: StepOperands
  ) throws(RuntimeError) {
    let rank = spatialInput.count
    guard (1...3).contains(rank) else {
      throw operands.failure("has \(rank) spatial axes; 1 to 3 are supported")
    }
    let kernel: [Int]
    if kernelShape.isEmpty, let defaultKernel {
      kernel = defaultKernel
    } else {
      kernel = try WindowAxes.list(kernelShape, count: rank, minimum: 1, "kernel_shape", operands)
    }
    let strideList =
      strides.isEmpty
      ? [Int](repeating: 1, count: rank) : try WindowAxes.list(strides, count: rank, minimum: 1, "strides", operands)
    let dilationList =
      dilations.isEmpty
      ? [Int](repeating: 1, count: rank)
      : try WindowAxes.list(dilations, count: rank, minimum: 1, "dilations", operands)
    let padList =
      pads.isEmpty
      ? [Int](repeating: 0, count: 2 * rank) : try WindowAxes.list(pads, count: 2 * rank, minimum: 0, "pads", operands)
    let lead = [Int](repeating: 1, count: 3 - rank)
    let zeros = [Int](repeating: 0, count: 3 - rank)
    self.input = lead + spatialInput
    self.kernel = lead + kernel
    self.strides = lead + strideList
    self.dilations = lead + dilationList
    self.padsBegin = zeros + padList[0..<rank]
    self.padsEnd = zeros + padList[rank...]
    self.output = lead + spatialInput
    for kernelSize in kernel where kernelSize > WindowAxes.largestExtent {
      throw operands.failure("kernel size \(kernelSize) is out of range")
    }
    inputPlane = try CheckedMath.product(input, "\(operands.site): input plane size")
    kernelVolume = try CheckedMath.product(self.kernel, "\(operands.site): kernel volume")
  }

  /// Sets the spatial output sizes (padded to three axes like the others).
  mutating func setOutput(_ spatialOutput: [Int], _ operands: StepOperands) throws(RuntimeError) {
    output = [Int](repeating: 1, count: 3 - spatialOutput.count) + spatialOutput
    outputPlane = try CheckedMath.product(output, "\(operands.site): output plane size")
  }

  /// Window sizes, strides, dilations and pads beyond this are rejected: no real model comes near, and it
  /// keeps every index computation far from overflow.
  static let largestExtent = 1 << 30

  /// Output size along `axis` (0...2) in floor mode, or nil when the padded input is smaller than the
  /// dilated window. All arithmetic is checked.
  func floorOutput(axis: Int) -> Int? {
    guard let span = paddedSpan(axis), let window = dilatedWindow(axis), span >= window else { return nil }
    return (span - window) / strides[axis] + 1
  }

  /// Output size in ceil mode (ONNX, PyTorch): rounded up, minus one when the last window would start in the
  /// end padding.
  func ceilOutput(axis: Int) -> Int? {
    guard let span = paddedSpan(axis), let window = dilatedWindow(axis), span >= window else { return nil }
    let (roundedUp, overflow) = (span - window).addingReportingOverflow(strides[axis] - 1)
    guard !overflow else { return nil }
    var size = roundedUp / strides[axis] + 1
    let (lastStart, startOverflow) = (size - 1).multipliedReportingOverflow(by: strides[axis])
    guard !startOverflow else { return nil }
    if lastStart >= input[axis] + padsBegin[axis] { size -= 1 }
    return size
  }

  private func paddedSpan(_ axis: Int) -> Int? {
    let (withBegin, overflowBegin) = input[axis].addingReportingOverflow(padsBegin[axis])
    let (span, overflowEnd) = withBegin.addingReportingOverflow(padsEnd[axis])
    return overflowBegin || overflowEnd ? nil : span
  }

  private func dilatedWindow(_ axis: Int) -> Int? {
    let (scaled, overflow) = (kernel[axis] - 1).multipliedReportingOverflow(by: dilations[axis])
    return overflow ? nil : scaled + 1
  }

  private static func list(
    _ values: [Int64], count: Int, minimum: Int, _ name: String, _ operands: StepOperands
  ) throws(RuntimeError) -> [Int] {
    guard values.count == count else {
      throw operands.failure("\(name) has \(values.count) values, expected \(count)")
    }
    var result: [Int] = []
    for value in values {
      guard value >= Int64(minimum), value <= Int64(largestExtent) else {
        throw operands.failure("\(name) value \(value) is out of range")
      }
      result.append(Int(value))
    }
    return result
  }
}
