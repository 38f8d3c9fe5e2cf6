import ResIR
import ResPlan

/// A convolution node's geometry as `ConvMethod` sees it (`ConvShape`: three spatial axes, the leading ones of
/// size 1), from its static operand dims. Shared by the lowering, which packs weights for the method, and
/// `ChannelsLastAssignment`, which asks whether the node can run channels-last.
enum ConvGeometry {
  /// Nil for a geometry no method runs (a rank outside 1–3 spatial axes, inconsistent lists, no groups).
  static func shape(
    input: [Int], output: [Int], weight: [Int], kernel: [Int], strides: [Int], dilations: [Int], pads: [Int],
    group: Int
  ) -> ConvShape? {
    let spatialRank = input.count - 2
    guard (1...3).contains(spatialRank), output.count == input.count, group > 0, weight.count == input.count,
      kernel.count == spatialRank, strides.count == spatialRank, dilations.count == spatialRank,
      pads.count == 2 * spatialRank
    else { return nil }
    let lead = { (values: [Int], fill: Int) in [Int](repeating: fill, count: 3 - spatialRank) + values }
    return ConvShape(
      input: lead(Array(input.dropFirst(2)), 1), output: lead(Array(output.dropFirst(2)), 1), kernel: lead(kernel, 1),
      strides: lead(strides, 1), dilations: lead(dilations, 1), padsBegin: lead(Array(pads.prefix(spatialRank)), 0),
      padsEnd: lead(Array(pads.suffix(spatialRank)), 0), groups: group, channelsPerGroup: input[1] / group,
      outputChannelsPerGroup: weight[0] / group)
  }

  /// The shape of `node` (a Conv) in `graph`, whose operand and result dims must be static.
  static func shape(of node: Node, _ attributes: ConvAttributes, in graph: Graph) -> ConvShape? {
    guard let x = node.input(0), let w = node.input(1), let y = node.outputs.first,
      let input = graph.type(of: x).knownDims, let weight = graph.type(of: w).knownDims,
      let output = graph.type(of: y).knownDims, input.count >= 3
    else { return nil }
    let spatialRank = input.count - 2
    let kernel = attributes.kernelShape.isEmpty ? Array(weight.dropFirst(2)) : attributes.kernelShape
    let strides = WindowPadding.orOnes(attributes.strides, count: spatialRank)
    let dilations = WindowPadding.orOnes(attributes.dilations, count: spatialRank)
    guard kernel.count == spatialRank else { return nil }
    let pads = WindowPadding.explicitPads(
      attributes.padding, inputSizes: Array(input.dropFirst(2)), kernel: kernel, strides: strides, dilations: dilations)
    var shape = Self.shape(
      input: input, output: output, weight: weight, kernel: kernel, strides: strides, dilations: dilations, pads: pads,
      group: attributes.group)
    shape?.allowsWinograd = !attributes.exactSums
    return shape
  }
}
