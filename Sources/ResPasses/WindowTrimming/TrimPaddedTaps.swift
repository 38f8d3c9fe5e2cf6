import ResIR

/// Drops the taps of a convolution window that read only zero padding at every output position: the kernel
/// shrinks to the taps that ever read the input, the pads shrink by the same amount, the weight is sliced.
///
/// ## Before
/// ```
/// %y = Conv "aspp" (%x, @w) {dilations=[24,24], kernel_shape=[3,3], pads=[24,24,24,24], ...} : f32[1,256,12,12]
///      // %x: f32[1,2048,12,12], @w: f32[256,2048,3,3]
/// ```
/// ## After
/// ```
/// %y = Conv "aspp" (%x, @w.trimmed) {dilations=[1,1], kernel_shape=[1,1], pads=[0,0,0,0], ...} : f32[1,256,12,12]
///      // @w.trimmed: f32[256,2048,1,1]
/// ```
/// DeepLabV3's atrous pyramid applies 3x3 windows dilated by 12, 24 and 36 to the backbone's output; on a
/// feature map no larger than the dilation every off-centre tap lies in the padding for every output, so the
/// layer multiplied 8 of its 9 taps by zeros (DeepLabV3-ResNet50 at 96x96: three 7 ms layers of 21 ms). Along
/// each axis, tap `t` reads input row `o·s − pad_begin + t·d` for output `o`; the taps that ever land inside
/// form one range, the kernel becomes that range, and the output shape stays the same.
///
/// -O2: the products dropped are exact zeros, but the sum is then taken in another order (a different kernel
/// may compute it). Declined: a computed or non-float weight, an input prologue, a window none of whose taps
/// reads the input (the result would be the bias alone). Left alone: `auto_pad` windows, shapes not known
/// when compiling, taps that do not form one range (a stride longer than the input can skip some).
public struct TrimPaddedTaps: RewritePattern {
  public init() {}
  public let name = "trim-padded-taps"

  public struct Match {
    var conv: NodeID
    var attributes: ConvAttributes
    var weightName: String
    var weight: Constant
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard case .conv(var attributes) = node.op, let x = node.input(0), let operand = node.input(1),
      let output = node.outputs.first
    else { return .notApplicable }
    guard let input = view.graph.type(of: x).knownDims, let result = view.graph.type(of: output).knownDims,
      input.count == result.count, input.count >= 3, attributes.kernelShape.count == input.count - 2
    else { return .notApplicable }
    let rank = input.count - 2
    guard case .explicit(let pads) = attributes.padding, pads.count == 2 * rank,
      attributes.strides.count == rank, attributes.dilations.count == rank
    else { return .notApplicable }
    var ranges: [ClosedRange<Int>] = []
    for axis in 0..<rank {
      guard
        let used = Self.usedTaps(
          input: input[axis + 2], output: result[axis + 2], kernel: attributes.kernelShape[axis],
          stride: attributes.strides[axis], dilation: attributes.dilations[axis], padBegin: pads[axis])
      else { return .declined("no tap of the window reads the input along spatial axis \(axis)") }
      ranges.append(used)
    }
    guard zip(ranges, attributes.kernelShape).contains(where: { $0.count < $1 }) else { return .notApplicable }
    guard attributes.prologue == nil else { return .declined("the Conv scales its input by a prologue") }
    guard let weight = view.constant(operand) else { return .declined("the weight is computed at run time") }
    guard weight.dtype.isFloatingPoint, weight.dims.count == input.count else {
      return .declined("the weight is \(weight.type), not a float convolution weight")
    }
    var trimmedPads = pads
    for axis in 0..<rank {
      let (range, dilation) = (ranges[axis], attributes.dilations[axis])
      trimmedPads[axis] -= range.lowerBound * dilation
      trimmedPads[axis + rank] -= (attributes.kernelShape[axis] - 1 - range.upperBound) * dilation
      attributes.kernelShape[axis] = range.count
      if range.count == 1 { attributes.dilations[axis] = 1 }
    }
    guard trimmedPads.allSatisfy({ $0 >= 0 }) else { return .notApplicable }
    attributes.padding = .explicit(trimmedPads)
    return .matched(
      Match(
        conv: node.id, attributes: attributes, weightName: view.graph[operand].name + ".trimmed",
        weight: Self.sliced(weight, to: ranges)))
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    let weight = graph.addConstant(name: match.weightName, match.weight)
    _ = graph.updateNode(match.conv) { conv in
      conv.op = .conv(match.attributes)
      conv.inputs[1] = weight
    }
  }

  /// The taps `t` of one axis for which some output `o` reads inside the input (`0 ≤ o·s − pad + t·d < size`),
  /// nil when there are none; the whole window when they do not form one range (the taps one output reads
  /// do, but a stride longer than the input moves them past taps no output reads).
  static func usedTaps(input: Int, output: Int, kernel: Int, stride: Int, dilation: Int, padBegin: Int)
    -> ClosedRange<Int>?
  {
    guard input > 0, output > 0, kernel > 0, stride > 0, dilation > 0 else { return nil }
    let used = (0..<kernel).filter { tap in
      // The outputs whose row `o·s − pad + tap·d` lies in `[0, input)`: `o·s` in `[low, high]`.
      let low = padBegin - tap * dilation
      let high = input - 1 + padBegin - tap * dilation
      let first = max(0, (low + stride - 1).floorDivided(by: stride))
      return first <= output - 1 && first * stride <= high
    }
    guard let first = used.first, let last = used.last, used.count == last - first + 1 else {
      return used.isEmpty ? nil : 0...(kernel - 1)
    }
    return first...last
  }

  /// The weight `[M, C/g, k...]` restricted to `ranges` of taps along its spatial axes: bytes copied a run of
  /// the last axis at a time, any element type (DeepLab's three 256x2048x3x3 weights in a few milliseconds).
  static func sliced(_ weight: Constant, to ranges: [ClosedRange<Int>]) -> Constant {
    let dims = weight.dims
    let spatial = Array(dims.dropFirst(2))
    let trimmed = ranges.map(\.count)
    let width = weight.dtype.byteWidth
    let filters = dims[0] * dims[1]
    let window = spatial.reduce(1, *)
    let run = trimmed[trimmed.count - 1] * width
    let outer = Array(trimmed.dropLast())
    var result = [UInt8](repeating: 0, count: filters * trimmed.reduce(1, *) * width)
    weight.bytes.withUnsafeBytes { source in
      result.withUnsafeMutableBytes { target in
        var written = 0
        var index = [Int](repeating: 0, count: outer.count)
        for filter in 0..<filters {
          repeat {
            var offset = 0
            for axis in outer.indices { offset = offset * spatial[axis] + ranges[axis].lowerBound + index[axis] }
            offset = offset * spatial[spatial.count - 1] + ranges[ranges.count - 1].lowerBound
            let from = (filter * window + offset) * width
            target.baseAddress!.advanced(by: written).copyMemory(from: source.baseAddress! + from, byteCount: run)
            written += run
          } while Self.advance(&index, within: outer)
        }
      }
    }
    return Constant(
      dtype: weight.dtype, dims: Array(dims.prefix(2)) + trimmed, bytes: TensorBytes(copyingScalars: result))
  }

  /// The next index of `sizes` in row-major order; false after the last.
  private static func advance(_ index: inout [Int], within sizes: [Int]) -> Bool {
    for axis in sizes.indices.reversed() {
      index[axis] += 1
      if index[axis] < sizes[axis] { return true }
      index[axis] = 0
    }
    return false
  }
}

extension Int {
  /// `self / divisor` rounded toward negative infinity (`divisor > 0`).
  fileprivate func floorDivided(by divisor: Int) -> Int {
    let quotient = self / divisor
    return self % divisor < 0 ? quotient - 1 : quotient
  }
}
