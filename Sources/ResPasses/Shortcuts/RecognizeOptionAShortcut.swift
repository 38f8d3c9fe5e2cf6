import ResIR

/// Turns the option-A shortcut of CIFAR ResNets — a strided Slice of the skip path followed by a zero Pad of
/// its channels — into the same 1x1 strided Conv with weight `[0; I; 0]` that `--residual-mismatch zero-pad`
/// inserts (`ZeroPadShortcut`), so it fuses like any projection: `fuse-epilogue` then merges the residual Add
/// (and the ReLU after it) into a convolution, and the block's shortcut is one kernel step instead of a
/// strided copy per axis plus a Pad.
///
/// ## Before
/// ```
/// %s = Slice "shortcut/Slice" (%x, @zero, @end, @hw, @two) : f32[1,2,4,4]      // x[:, :, ::2, ::2]
/// %p = Pad "shortcut/Pad" (%s, @zero_value) {mode=constant, pads=[0,1,0,0,0,1,0,0]} : f32[1,4,4,4]
/// %y = Add "add" (%main, %p) : f32[1,4,4,4]
/// ```
/// ## After
/// ```
/// %p = Conv "shortcut/Pad.projection" (%x, @shortcut/Pad.projection.weight) {strides=[2,2], ...} : f32[1,4,4,4]
/// %y = Add "add" (%main, %p) : f32[1,4,4,4]
/// ```
/// The weight is `[4,2,1,1]` with rows `0; e0; e1; 0` (one zero channel before, one after, as the pads say).
/// The Conv takes over the Pad's result, so a graph output keeps its name; the Slices go.
///
/// **Exact** for finite inputs (see `ZeroPadShortcut`): a sampled channel is `1·x + 0·...`, a padded one a sum
/// of zero products; only an infinite or NaN input differs (`0·∞` is NaN where Pad writes 0). Hence no
/// `--residual-mismatch` flag is needed: the model computes what it computed.
///
/// Declines — each guard with its reason — a Pad that is not zero padding (another mode, a non-zero or
/// non-constant value), pads that touch the batch or spatial axes or crop channels, a Slice that does not
/// sample from index 0 to the end with positive steps or cuts the batch or channel axis, a Slice whose result
/// is read elsewhere (the Slice would stay, so the Conv would add work), a chain without any stride, sizes
/// that are not numbers, and element types a Conv does not take. A Pad whose result has several readers is
/// fine: the Conv produces that same value for all of them.
public struct RecognizeOptionAShortcut: RewritePattern {
  public init() {}
  public let name = "recognize-option-a-shortcut"

  public struct Match {
    var pad: NodeID
    var sampling: StridedSampling
    var shortcut: ZeroPadShortcut
    var weight: Constant
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard case .pad(let mode, let pads) = node.op, let data = node.input(0),
      let producer = view.producer(of: data), case .slice = producer.op
    else { return .notApplicable }
    guard mode == .constant else {
      return .declined("pad mode is \(mode.rawValue); only zero padding is a convolution's zero weights")
    }
    if let reason = valueDecline(node, in: view) { return .declined(reason) }
    let type = view.type(of: data)
    guard type.rank == 4 else { return .declined("the Pad's input has rank \(type.rank), not [N,C,H,W]") }
    let channels: ChannelPadding
    switch ChannelPadding.of(pads) {
    case .success(let padding): channels = padding
    case .failure(let refusal): return .declined(refusal.reason)
    }
    let sampling: StridedSampling
    switch StridedSampling.trace(data, in: view) {
    case .success(let traced): sampling = traced
    case .failure(let refusal): return .declined(refusal.reason)
    }
    guard sampling.strides.contains(where: { $0 > 1 }) else {
      return .declined("the Slices keep every position; a Pad alone is cheaper as a copy than as a convolution")
    }
    guard case .known(let inputChannels) = view.type(of: sampling.source).shape[1] else {
      return .declined("the channel count of '\(view.graph[sampling.source].name)' is not a number")
    }
    let (padded, overflowBefore) = inputChannels.addingReportingOverflow(channels.before)
    let (outputChannels, overflowAfter) = padded.addingReportingOverflow(channels.after)
    guard !overflowBefore, !overflowAfter else { return .declined("the padded channel count overflows") }
    let shortcut: ZeroPadShortcut
    do {
      shortcut = try ZeroPadShortcut(
        inputChannels: inputChannels, outputChannels: outputChannels, channelOffset: channels.before,
        strides: sampling.strides)
    } catch {
      return .declined(error.reason)
    }
    guard let weight = shortcut.weight(type.dtype) else {
      return .declined("the tensor is \(type.dtype.onnxName); a convolution takes floating-point tensors")
    }
    return .matched(Match(pad: node.id, sampling: sampling, shortcut: shortcut, weight: weight))
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    guard let pad = graph.node(match.pad) else { return }
    let name = "\(pad.name).projection"
    let weight = graph.addConstant(name: name + ".weight", match.weight)
    var conv = graph.makeNode(
      name: name, op: .conv(match.shortcut.attributes), inputs: [match.sampling.source, weight], results: [])
    conv.outputs = pad.outputs
    graph.insert(conv, before: pad.id)
    graph.removeNodes(Set([pad.id] + match.sampling.slices))
  }

  /// Why the pad value is not zero, or nil when it is (or absent, which means zero).
  private func valueDecline(_ pad: Node, in view: GraphView) -> String? {
    guard let value = pad.input(1) else { return nil }
    guard let scalar = view.constant(value)?.scalar else {
      return "the pad value '\(view.graph[value].name)' is not a constant scalar"
    }
    return scalar == 0 ? nil : "the pad value is \(scalar), not 0: a convolution pads with zero weights"
  }
}

/// The zero channels a Pad adds before and after the copied ones; every other pad must be 0.
private struct ChannelPadding {
  var before: Int
  var after: Int

  /// `pads` of a rank-4 Pad: `[N, C, H, W]` begins, then ends.
  static func of(_ pads: [Int]) -> Result<ChannelPadding, ShortcutRefusal> {
    let written = "pads [\(pads.map(String.init).joined(separator: ","))]"
    guard pads.count == 8 else {
      return .failure(ShortcutRefusal("\(written) do not have the 8 entries of a rank-4 Pad"))
    }
    let others = Set([0, 2, 3, 4, 6, 7].filter { pads[$0] != 0 }.map { $0 % 4 }).sorted()
    guard others.isEmpty else {
      let axes = others.map { ["N", "C", "H", "W"][$0] }.joined(separator: ", ")
      return .failure(ShortcutRefusal("\(written) also pad \(axes); the shortcut pads only C"))
    }
    let padding = ChannelPadding(before: pads[1], after: pads[5])
    guard padding.before >= 0, padding.after >= 0 else {
      return .failure(ShortcutRefusal("\(written) crop channels; a zero-padded identity only adds them"))
    }
    guard padding.before > 0 || padding.after > 0 else {
      return .failure(ShortcutRefusal("\(written) add no channels"))
    }
    return .success(padding)
  }
}
