/// The geometry of one convolution step as the method choice sees it: three spatial axes (`[D, H, W]`; a 2-D
/// convolution has D = 1, kernel 1, no padding along it), groups and channels. Built by the compiler from the
/// IR and by the runtime from a validated step, so both reach the same `ConvMethod`.
public struct ConvShape: Sendable, Hashable {
  public var input: [Int]
  public var output: [Int]
  public var kernel: [Int]
  public var strides: [Int]
  public var dilations: [Int]
  public var padsBegin: [Int]
  public var padsEnd: [Int]
  public var groups: Int
  public var channelsPerGroup: Int
  public var outputChannelsPerGroup: Int
  /// False for a convolution that must sum exactly (integer levels: `ConvAttributes.exactSums`), which no
  /// Winograd method then takes. The plan says so (`ConvParams.exact_sums`), so the runtime chooses as the
  /// compiler did.
  public var allowsWinograd: Bool

  public init(
    input: [Int], output: [Int], kernel: [Int], strides: [Int], dilations: [Int], padsBegin: [Int], padsEnd: [Int],
    groups: Int, channelsPerGroup: Int, outputChannelsPerGroup: Int, allowsWinograd: Bool = true
  ) {
    self.input = input
    self.output = output
    self.kernel = kernel
    self.strides = strides
    self.dilations = dilations
    self.padsBegin = padsBegin
    self.padsEnd = padsEnd
    self.groups = groups
    self.channelsPerGroup = channelsPerGroup
    self.outputChannelsPerGroup = outputChannelsPerGroup
    self.allowsWinograd = allowsWinograd
  }

  /// Taps per window (kd·kh·kw), or nil on overflow.
  /// A 2-D 3×3 window with unit strides and dilations: what Winograd's `F(m×m, 3×3)` computes. (Spatial axes
  /// are the last three, 2-D shapes with a leading 1.)
  public var isWinogradShape: Bool {
    kernel == [1, 3, 3] && strides == [1, 1, 1] && dilations == [1, 1, 1] && input.first == 1 && output.first == 1
  }

  /// A 2-D 3×3 window at stride 2 along both axes, unit dilations: what `WinogradFilter`'s stride-2 transform
  /// computes.
  public var isStridedWinogradShape: Bool {
    kernel == [1, 3, 3] && strides == [1, 2, 2] && dilations == [1, 1, 1] && input.first == 1 && output.first == 1
  }

  public var kernelVolume: Int? { Self.product(kernel) }

  /// A 2-D convolution of one group at stride 1 or 2 (the same along both axes) without dilation: the
  /// geometries whose padded input `ConvMethod.grid` can split into stride phases read as plain vectors.
  public var isGridShape: Bool {
    groups == 1 && kernel.first == 1 && input.first == 1 && output.first == 1 && padsBegin.first == 0
      && padsEnd.first == 0 && strides[1] == strides[2] && (strides[1] == 1 || strides[1] == 2)
      && dilations[1] == 1 && dilations[2] == 1 && output[1] > 0 && output[2] > 0
  }

  /// Windows that never overlap and never reach into padding: each kernel side at most its stride, no
  /// padding, no dilation. A strided 1×1 (a ResNet downsample) and a patch embedding (a vision transformer's
  /// 16×16/16, a ConvNeXt stem's 4×4/4) are such windows: their im2col matrix reads every input element at
  /// most once, so copying it costs no more than reading X.
  public var hasDisjointWindows: Bool {
    zip(kernel, strides).allSatisfy { $0 <= $1 } && dilations.allSatisfy { $0 == 1 }
      && padsBegin.allSatisfy { $0 == 0 } && padsEnd.allSatisfy { $0 == 0 }
  }

  /// Whether the input planes with their padding written out stay within a few times the input and output
  /// planes (see `PaddedPlanes`); the direct and depthwise methods copy planes that large.
  public var paddedPlanesAreCompact: Bool {
    var padded: [Int] = []
    for axis in 0..<3 {
      let (begin, o1) = input[axis].addingReportingOverflow(padsBegin[axis])
      let (span, o2) = begin.addingReportingOverflow(padsEnd[axis])
      let (lastStart, o3) = (output[axis] - 1).multipliedReportingOverflow(by: strides[axis])
      let (window, o4) = (kernel[axis] - 1).multipliedReportingOverflow(by: dilations[axis])
      let (reach, o5) = lastStart.addingReportingOverflow(window + 1)
      guard !(o1 || o2 || o3 || o4 || o5) else { return false }
      padded.append(max(span, reach))
    }
    guard let plane = Self.product(padded), let inputPlane = Self.product(input), let outputPlane = Self.product(output)
    else { return false }
    return PaddedPlanes.isCompact(plane: plane, inputPlane: inputPlane, outputPlane: outputPlane)
  }

  private static func product(_ sizes: [Int]) -> Int? {
    var result = 1
    for size in sizes {
      let (next, overflow) = result.multipliedReportingOverflow(by: size)
      guard !overflow else { return nil }
      result = next
    }
    return result
  }
}

/// The bound on padded planes shared by the convolution and pooling kernels that copy an input with its padding.
public enum PaddedPlanes {
  /// A padded plane is compact when it is at most four times the input and output planes together, plus a page
  /// of floats: only absurd padding and strides fail this, and their operators then take a path whose work is
  /// bounded by the input and output instead of allocating planes of mostly padding.
  public static func isCompact(plane: Int, inputPlane: Int, outputPlane: Int) -> Bool {
    let (both, overflow) = inputPlane.addingReportingOverflow(outputPlane)
    let (limit, tooLarge) = both.multipliedReportingOverflow(by: 4)
    return !overflow && !tooLarge && plane <= limit + 4096
  }
}
