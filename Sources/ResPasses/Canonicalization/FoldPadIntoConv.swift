import ResIR

/// Moves a zero Pad of the spatial axes into the explicit padding of the Conv that reads it.
///
/// ## Before
/// ```
/// %p = Pad "pad" (%x) {mode: constant, pads: [0,0,0,0,0,0,1,1]} : f32[1,16,33,33]
/// %y = Conv "conv" (%p, @w) {kernel_shape: [3,3], strides: [2,2], pads: [0,0,0,0]} : f32[1,32,16,16]
/// ```
/// ## After
/// ```
/// %y = Conv "conv" (%x, @w) {kernel_shape: [3,3], strides: [2,2], pads: [0,0,1,1]} : f32[1,32,16,16]
/// ```
/// TensorFlow's "SAME" padding reaches ONNX as a Pad before a Conv (tf2onnx, timm's TF ports, Keras), often
/// asymmetric; the Conv pads with the same zeros without writing the padded copy. Exact: the Conv reads the
/// same values. The Pad stays while other nodes read it (dead-code elimination removes it otherwise).
public struct FoldPadIntoConv: RewritePattern {
  public init() {}
  public let name = "fold-pad-into-conv"

  public struct Match {
    var conv: NodeID
    var source: ValueID
    var attributes: ConvAttributes
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard case .conv(var attributes) = node.op, let input = node.input(0), let pad = view.producer(of: input),
      case .pad(let mode, let pads) = pad.op, let source = pad.input(0)
    else { return .notApplicable }
    guard mode == .constant else { return .declined("the Pad's mode is \(mode.rawValue), not constant") }
    if let fill = pad.input(1) {
      guard let value = view.constant(fill)?.doubles(), value == [0] else {
        return .declined("the Pad fills with something other than a constant 0")
      }
    }
    guard attributes.prologue == nil else {
      return .declined("the Conv scales its input before convolving; padding must stay outside")
    }
    guard case .explicit(let convolutionPads) = attributes.padding else {
      return .declined("the Conv's padding is SAME, decided at run time")
    }
    let rank = pads.count / 2
    let spatial = attributes.kernelShape.count
    guard rank == spatial + 2, convolutionPads.count == 2 * spatial else { return .notApplicable }
    guard pads.allSatisfy({ $0 >= 0 }) else { return .declined("the Pad crops (a negative pad)") }
    guard pads[0] == 0, pads[1] == 0, pads[rank] == 0, pads[rank + 1] == 0 else {
      return .declined("the Pad pads the batch or channel axis")
    }
    let begins = (0..<spatial).map { convolutionPads[$0] + pads[2 + $0] }
    let ends = (0..<spatial).map { convolutionPads[spatial + $0] + pads[rank + 2 + $0] }
    attributes.padding = .explicit(begins + ends)
    guard Self.keepsRecordedType(of: node, reading: source, with: attributes, in: view) else {
      return .declined("the Conv's declared output size is a symbol the folded Conv would not infer")
    }
    return .matched(Match(conv: node.id, source: source, attributes: attributes))
  }

  /// Whether the Conv's recorded result type still verifies once it reads `source` with `attributes`. A
  /// model's declared shapes can name a symbolic size of the Pad's output and of the Conv's (ONNX shape
  /// inference's `unk__2`, `unk__4`); inference cannot relate the two, so it accepts the declared one. Read
  /// straight from the unpadded input (`unk__0`), a Conv whose padding restores the size infers that input's
  /// symbol, which the recorded `unk__4` contradicts: the Pad stays. The folded Conv is inferred alone, on
  /// a graph of its operands' types.
  private static func keepsRecordedType(
    of conv: Node, reading source: ValueID, with attributes: ConvAttributes, in view: GraphView
  ) -> Bool {
    guard let result = conv.outputs.first else { return false }
    var probe = Graph(name: "fold-pad-into-conv probe")
    var operands: [ValueID?] = [probe.addInput(name: "input", type: view.type(of: source))]
    for (slot, operand) in conv.inputs.enumerated().dropFirst() {
      operands.append(operand.map { probe.addInput(name: "operand\(slot)", type: view.type(of: $0)) })
    }
    probe.appendNode(
      name: "conv", op: .conv(attributes), inputs: operands, results: [("result", view.type(of: result))])
    var inference = ShapeInference()
    guard (try? inference.inferNode(at: 0, in: &probe)) != nil else { return false }
    return view.type(of: result).refines(probe.type(of: probe.nodes[0].outputs[0]))
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    _ = graph.updateNode(match.conv) { conv in
      conv.op = .conv(match.attributes)
      conv.inputs[0] = match.source
    }
  }
}
