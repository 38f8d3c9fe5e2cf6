import ResIR

/// A Cast to an integer type and back to float, of a float that already holds whole numbers within the integer
/// type's range, reads the float instead: a quantized model's `QuantizeLinear → DequantizeLinear` pair, as the
/// importer writes it, stores each activation as 8-bit levels and converts them back for every reader.
///
/// ## Before
/// ```
/// %q = Clip "q.saturated" (%shifted, @low, @high) : f32[1,64,16,16]        // levels in [-128, 127]
/// %i = Cast "q" (%q) {to=i8} : i8[1,64,16,16]
/// %f = Cast "dq.value" (%i) {to=f32} : f32[1,64,16,16]
/// %c = Sub "conv.x_centered" (%f, @zero_point) : f32[1,64,16,16]
/// ```
/// ## After
/// ```
/// %c = Sub "conv.x_centered" (%q, @zero_point) : f32[1,64,16,16]
/// ```
/// Exact for finite inputs (`IntegerLevels`): the conversions only copy whole numbers that both types hold.
/// A Cast back to a wider float (the float64 sums of a quantized Add) becomes a Cast of the float itself.
/// Every step saved is a pass over the tensor, and the Casts were also where the code generator had to leave
/// the channels-last layout. Where the 8-bit value has other readers (a graph output) it stays for them.
///
/// The same holds for a ConvInteger's exact sums cast to int32 and back (onnxruntime's dynamic quantization),
/// whose bound `IntegerLevels` takes from the levels and the constant weights.
///
/// A Cast back to a narrower float (the float64 levels of a quantized Add read by a float32 convolution) becomes
/// a Cast of the float itself, exact when the narrower type holds every level.
///
/// Not rewritten: a float that may hold fractions or levels outside the type's range (the Cast would round
/// or wrap them), a Cast between two floats with nothing integral in between, and levels the float type
/// cannot hold exactly (float16 beyond ±2048).
struct ElideIntegerRoundTrip: RewritePattern {
  let name = "elide-integer-round-trip"

  struct Match {
    let node: NodeID
    let result: ValueID
    let source: ValueID
    /// True when the Cast back lands on the source's own type: its readers read the source directly.
    let readsSourceDirectly: Bool
    /// The Cast to integers, when this Cast back was its only reader: it goes with the rewrite, so later
    /// patterns see the source's real readers.
    let unreadNarrowing: NodeID?
  }

  func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard case .cast(let target) = node.op, target.isFloatingPoint, let integers = node.input(0),
      let narrowing = view.producer(of: integers), case .cast(let integerType) = narrowing.op,
      let range = IntegerRange(integerType), integerType != .bool, let source = narrowing.input(0)
    else { return .notApplicable }
    let sourceType = view.type(of: source).dtype
    guard sourceType.isFloatingPoint else { return .notApplicable }
    guard let levels = IntegerLevels.of(source, in: view) else {
      return .declined("'\(view.graph[source].name)' may hold fractions")
    }
    guard levels.fits(within: range.low, range.high) else {
      return .declined("'\(view.graph[source].name)' may hold numbers outside \(integerType.onnxName)'s range")
    }
    // A float type at least as wide as the source holds the source's whole numbers already; a narrower one
    // only those its significand spans.
    if target.byteWidth < sourceType.byteWidth {
      guard let exact = IntegerRange(exactIn: target), levels.fits(within: exact.low, exact.high) else {
        return .declined("\(target.onnxName) does not hold every \(integerType.onnxName) value exactly")
      }
    }
    let direct = target == sourceType
    if direct, view.isGraphOutput(node.outputs[0]) {
      return .declined("its result is the graph output '\(view.graph[node.outputs[0]].name)'")
    }
    let narrowingUnread = view.useCount(of: integers) == 1 && !view.isGraphOutput(integers)
    return .matched(
      Match(
        node: node.id, result: node.outputs[0], source: source, readsSourceDirectly: direct,
        unreadNarrowing: narrowingUnread ? narrowing.id : nil))
  }

  func rewrite(_ match: Match, in graph: inout Graph) {
    if let narrowing = match.unreadNarrowing { graph.removeNodes([narrowing]) }
    if match.readsSourceDirectly {
      graph.replaceAllUses(of: match.result, with: match.source)
      graph.removeNodes([match.node])
    } else {
      _ = graph.updateNode(match.node) { node in node.inputs = [match.source] }
    }
  }
}
