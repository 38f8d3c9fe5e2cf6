import ResIR

/// `Clip(r + zp, lo, hi) − zp` of whole numbers `r` becomes `Clip(r, lo − zp, hi − zp)`: a quantization to
/// levels with zero point `zp` followed by the next operator's centring of those levels (a QLinearConv's
/// `x − x_zero_point`), which the importer writes as two steps that cancel.
///
/// ## Before
/// ```
/// %r = Round "conv.level" (%scaled) : f32[1,64,16,16]
/// %s = Add "conv.shifted" (%r, @zp) : f32[1,64,16,16]                  // zp = 7
/// %q = Clip "conv.saturated" (%s, @low, @high) : f32[1,64,16,16]      // [-128, 127]
/// %c = Sub "next.x_centered" (%q, @zp) : f32[1,64,16,16]
/// ```
/// ## After
/// ```
/// %c = Clip "next.x_centered" (%r, @next.x_centered_low, @next.x_centered_high) : f32[1,64,16,16]  // [-135, 120]
/// ```
/// Exact for finite whole `r` (`IntegerLevels`) and whole `zp`, `lo`, `hi` below 2^24 in magnitude: below 2^24
/// every sum here is exact, and an `r` beyond it saturates at the same bound either way. The Add and Clip stay
/// while something else reads them (the Cast to 8 bits a quantized Add reads).
///
/// Not rewritten: a zero point that is not one scalar equal on both sides, fractional bounds or `r`, and a
/// Clip with a bound missing (the shifted form would then need the other side's shift only, which no Clip
/// spells differently; rare enough to leave).
struct FoldZeroPointShift: RewritePattern {
  let name = "fold-zero-point-shift"

  /// Whole numbers up to this magnitude add exactly in every float type the pattern meets (float32 and wider).
  private static let exactLimit = 0x1p24

  struct Match {
    let node: NodeID
    let levels: ValueID
    let low: Double
    let high: Double
    /// The float type the Sub computes in when a Cast stands between it and the Clip (the float64 levels of
    /// a quantized Add centred for a float32 convolution): the shifted Clip runs in the levels' own type and
    /// the Sub becomes that Cast.
    let castTo: DType?
    /// The nodes between the levels and the Sub that only the Sub read: they go with the rewrite, so a fusion
    /// pattern after this one sees the levels' real readers without waiting for dead-code elimination.
    let bypassed: Set<NodeID>
  }

  func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard node.op == .binary(.sub), let (clipped, castTo) = clipResult(node.input(0), in: view),
      let clip = view.producer(of: clipped), let shifted = clip.input(0), let add = view.producer(of: shifted),
      add.op == .binary(.add)
    else { return .notApplicable }
    let dtype = view.type(of: node.outputs[0]).dtype
    guard dtype == .float32 || dtype == .float64 else { return .declined("\(dtype.onnxName) is not float32 or wider") }
    guard view.type(of: node.input(0)!).shape == view.type(of: node.outputs[0]).shape else {
      return .declined("the zero point broadcasts the result to another shape")
    }
    guard let zeroPoint = wholeScalar(node.input(1), in: view) else {
      return .declined("the subtracted value is not one whole number")
    }
    guard let low = wholeScalar(clip.input(1), in: view), let high = wholeScalar(clip.input(2), in: view) else {
      return .declined("the Clip's bounds are not both whole numbers")
    }
    guard let levels = shiftedLevels(of: add, by: zeroPoint, in: view) else {
      return .declined("the Clip does not read whole numbers plus the same zero point")
    }
    let chain = [view.producer(of: node.input(0)), clip, add].compactMap { $0 }
    return .matched(
      Match(
        node: node.id, levels: levels, low: low - zeroPoint, high: high - zeroPoint, castTo: castTo,
        bypassed: onlyReadAlong(chain, by: node, in: view)))
  }

  /// The prefix of `chain` (each node read only by the one before it, the first only by `reader`) that the
  /// rewrite leaves unread.
  private func onlyReadAlong(_ chain: [Node], by reader: Node, in view: GraphView) -> Set<NodeID> {
    var unread = Set<NodeID>()
    var next = reader
    for node in chain where node.id != next.id {
      let result = node.outputs[0]
      guard !view.isGraphOutput(result), view.useCount(of: result) == 1, view.consumers(of: result).first?.id == next.id
      else { break }
      unread.insert(node.id)
      next = node
    }
    return unread
  }

  func rewrite(_ match: Match, in graph: inout Graph) {
    guard let node = graph.node(match.node) else { return }
    let levelsType = graph.type(of: match.levels)
    var clipInputs = [match.levels]
    for (suffix, value) in [("low", match.low), ("high", match.high)] {
      let bound = Constant(dtype: levelsType.dtype, dims: [], doubles: [value])
      clipInputs.append(graph.addConstant(name: "\(node.name)_\(suffix)", bound))
    }
    defer { graph.removeNodes(match.bypassed) }
    guard let castTo = match.castTo else {
      _ = graph.updateNode(match.node) { node in (node.op, node.inputs) = (.clip, clipInputs) }
      return
    }
    let clip = graph.makeNode(
      name: node.name, op: .clip, inputs: clipInputs, results: [(name: "\(node.name).levels", type: levelsType)])
    graph.insert(clip, before: match.node)
    _ = graph.updateNode(match.node) { node in (node.op, node.inputs) = (.cast(to: castTo), [clip.outputs[0]]) }
  }

  /// The Clip result `value` is, directly or through a Cast to another float type that holds its levels
  /// exactly, with that Cast's type.
  private func clipResult(_ value: ValueID?, in view: GraphView) -> (ValueID, DType?)? {
    guard let producer = view.producer(of: value) else { return nil }
    if producer.op == .clip { return (producer.outputs[0], nil) }
    guard case .cast(let target) = producer.op, target.isFloatingPoint, let source = producer.input(0),
      view.producer(of: source)?.op == .clip, view.type(of: source).dtype.isFloatingPoint,
      let levels = IntegerLevels.of(source, in: view), let exact = IntegerRange(exactIn: target),
      levels.fits(within: exact.low, exact.high)
    else { return nil }
    return (source, target)
  }

  /// The operand of `add` that is whole numbers when the other is the constant `zeroPoint`.
  private func shiftedLevels(of add: Node, by zeroPoint: Double, in view: GraphView) -> ValueID? {
    for (levelSlot, pointSlot) in [(0, 1), (1, 0)] {
      guard wholeScalar(add.input(pointSlot), in: view) == zeroPoint, let levels = add.input(levelSlot),
        view.type(of: levels) == view.type(of: add.outputs[0]), IntegerLevels.of(levels, in: view) != nil
      else { continue }
      return levels
    }
    return nil
  }

  private func wholeScalar(_ value: ValueID?, in view: GraphView) -> Double? {
    guard let scalar = view.constant(value)?.scalar, scalar.rounded() == scalar, abs(scalar) <= Self.exactLimit
    else { return nil }
    return scalar
  }
}
