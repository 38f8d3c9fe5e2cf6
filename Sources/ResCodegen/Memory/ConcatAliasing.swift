import ResIR

/// Concatenation without copies: a Concat operand is computed straight into its slab of the Concat's output,
/// and the copy step that would have moved it there disappears.
///
/// **When a slab is one range of bytes.** Along axis `a`, operand `k` fills the output's indices
/// `[p_k, p_k + n_k)` on that axis. In row-major order that is one contiguous byte range exactly when every
/// dimension before `a` is 1 (NCHW channel concatenation at batch 1); otherwise it is several pieces, and the
/// Concat keeps its strided copies.
///
/// **Placing a region inside another.** An operand placed in its slab has its arena region nested in the
/// output's (`RegionNesting`): the memory planner places only the outermost region, and every nested region
/// lives at its fixed offset inside. Nothing is ever overwritten: each slab holds one value, written by that
/// value's own producer, and stays reserved from that write to the last read of it or of any region containing
/// it (`ArenaLayout`). So other readers of an operand simply read it inside the Concat's output; the price is
/// that the operand's bytes are held as long as the Concat's output (which holds them anyway, as a copy, in the
/// plan without aliasing).
///
/// **Which operands may be placed** (in plan order, Concat by Concat, operand by operand):
/// - the operand is an arena tensor computed by steps of this plan: not a constant (`constant`), not a graph
///   input (`graphInput`: the caller's bytes, which the runtime reads in place where it can);
/// - neither it nor the Concat's output is a graph output (`graphOutput`, `concatIsGraphOutput`): the runtime
///   computes an output straight into the caller's memory only when no other buffer shares its bytes;
/// - its region is not placed already. A tensor has one place in the arena, so an operand used by two Concats
///   is placed in the first and copied into the second (`placedInAnotherConcat`), and one used twice by the
///   same Concat is placed at its first slot and copied into the second (`repeatedOperand`).
///
/// **DenseNet.** Dense blocks concatenate the same feature maps again and again, and two shapes of export occur:
/// each layer concatenating the previous layer's Concat with its new features (`cat(cat(x0, x1), x2)`), and
/// torchvision's, where each layer concatenates every feature so far (`cat(x0, x1)`, `cat(x0, x1, x2)`, ...)
/// and the block ends with the Concat of all of them. Both nest completely:
/// - an operand that is itself a Concat's output is placed like any other, with everything inside it: the
///   nested form's `cat(x0, x1)` goes to the start of `cat(cat(x0, x1), x2)`;
/// - a run of operands that are, in order, exactly the contents of an earlier Concat's output places that whole
///   output: in `cat(x0, x1, x2)`, `x0` and `x1` already live in `cat(x0, x1)`, which becomes the start of the
///   new Concat's output, so each layer's Concat is a prefix of the next one and of the block's;
/// - a Concat whose operands all already lie, consecutive and in order, inside one earlier Concat's output is
///   a view of that part of it (no step at all).
/// Every feature map of a block is then written once, by its convolution, into the block's final buffer.
///
/// **Channels-last.** A Concat inside a channels-last region (`ChannelsLastAssignment`) writes each operand's
/// channels into every position of its output: never one range of bytes, so its copies stay.
///
/// **The steps that remain.** A Concat none of whose operands could be placed keeps its strided copies into the
/// output, so an output Concat is still written straight into the caller's memory. Otherwise the copies of the
/// operands that could not be placed become plain copies into slab tensors of their own, nested in the output
/// at the operand's offset: a copy then never names the whole output, which may overlap its source (an operand
/// repeated in one Concat), so every step's inputs and outputs stay disjoint, as the runtime requires.
///
/// Deterministic: Concats and operands are visited in plan order, and every choice depends only on what was
/// decided before.
struct ConcatAliasing {
  private var plan: LoweredPlan
  private var report = ConcatReport()
  /// Per region: whether a graph input or output binding names it.
  private let isGraphInput: [Bool]
  private let isGraphOutput: [Bool]
  /// Per region: whether it is a Concat's output (decided earlier in plan order).
  private var isConcatOutput: [Bool]
  /// Per region: the name of its first tensor, for messages.
  private let regionNames: [String]
  /// Per step: whether a placed operand made it unnecessary.
  private var removedSteps: [Bool]

  /// What happens to one operand, or to a run of operands that starts with it.
  private enum Decision {
    /// Place `root` (the operand's region, or an earlier Concat's output holding it and the next operands) at
    /// this operand's slab: `count` operands need no copy.
    case place(root: Int, count: Int)
    case copy(ConcatCopyReason)
  }

  private init(_ plan: LoweredPlan) {
    self.plan = plan
    let builder = plan.builder
    let regionCount = builder.regionSizes.count
    isGraphInput = Self.regionsNamed(by: plan.inputs, in: builder, regionCount: regionCount)
    isGraphOutput = Self.regionsNamed(by: plan.outputs, in: builder, regionCount: regionCount)
    isConcatOutput = Array(repeating: false, count: regionCount)
    var names = [String?](repeating: nil, count: regionCount)
    for tensor in builder.tensors {
      if let region = tensor.arenaRegion, names[region] == nil { names[region] = tensor.name }
    }
    regionNames = names.map { $0 ?? "" }
    removedSteps = Array(repeating: false, count: builder.steps.count)
  }

  /// Decides every Concat of `plan`, nests the placed regions, removes the copies that became unnecessary and
  /// redirects the others to their slabs. Returns what it decided, operand by operand. Not `enabled`, every
  /// operand keeps its copy.
  static func apply(to plan: inout LoweredPlan, enabled: Bool) throws(ModelError) -> ConcatReport {
    var aliasing = ConcatAliasing(plan)
    for concat in plan.concats {
      if enabled {
        try aliasing.decide(concat)
      } else {
        aliasing.keepCopies(concat, .aliasingDisabled)
      }
    }
    aliasing.plan.builder.removeSteps(marked: aliasing.removedSteps)
    plan = aliasing.plan
    return aliasing.report
  }

  private static func regionsNamed(
    by bindings: [LoweredPlan.Binding], in builder: PlanBuilder, regionCount: Int
  ) -> [Bool] {
    var named = [Bool](repeating: false, count: regionCount)
    for binding in bindings {
      if let region = builder[binding.tensor].arenaRegion { named[region] = true }
    }
    return named
  }

  // MARK: - One Concat

  private mutating func decide(_ concat: PendingConcat) throws(ModelError) {
    let output = plan.builder[concat.output]
    guard !output.isChannelsLast else { return keepCopies(concat, .channelsLast) }
    isConcatOutput[concat.outputRegion] = true
    guard output.dims.prefix(concat.axis).allSatisfy({ $0 == 1 }) else {
      return keepCopies(concat, .slabNotContiguous(axis: concat.axis, outputDims: output.dims))
    }
    guard !isGraphOutput[concat.outputRegion] else { return keepCopies(concat, .concatIsGraphOutput) }
    if let home = enclosingConcat(of: concat) {
      plan.nesting.place(concat.outputRegion, inside: home.region, at: home.offset)
      for operand in concat.operands { removedSteps[operand.step] = true }
      return record(concat, reasons: Array(repeating: nil, count: concat.operands.count))
    }
    var reasons: [ConcatCopyReason?] = []
    while reasons.count < concat.operands.count {
      let index = reasons.count
      switch decision(concat, index) {
      case .place(let root, let count):
        plan.nesting.place(root, inside: concat.outputRegion, at: byteOffset(concat, index))
        for operand in concat.operands[index..<(index + count)] { removedSteps[operand.step] = true }
        reasons += Array(repeating: nil, count: count)
      case .copy(let reason):
        reasons.append(reason)
      }
    }
    if reasons.contains(where: { $0 == nil }) {
      for index in concat.operands.indices where reasons[index] != nil {
        try copyIntoSlab(index, of: concat)
      }
    }
    record(concat, reasons: reasons)
  }

  /// The operands keep the strided copies lowering gave them.
  private mutating func keepCopies(_ concat: PendingConcat, _ reason: ConcatCopyReason) {
    record(concat, reasons: Array(repeating: reason, count: concat.operands.count))
  }

  private mutating func record(_ concat: PendingConcat, reasons: [ConcatCopyReason?]) {
    for (operand, reason) in zip(concat.operands, reasons) {
      let tensor = plan.builder[operand.tensor]
      report.operands.append(
        ConcatReport.Operand(
          concat: concat.name, slot: operand.slot, name: tensor.name, bytes: tensor.byteCount, copyReason: reason))
    }
  }

  // MARK: - Operands

  /// Whether operand `index` (with the operands after it) can be placed in the output, and if not, why.
  private mutating func decision(_ concat: PendingConcat, _ index: Int) -> Decision {
    guard let region = plan.builder[concat.operands[index].tensor].arenaRegion else { return .copy(.constant) }
    guard !isGraphInput[region] else { return .copy(.graphInput) }
    guard !isGraphOutput[region] else { return .copy(.graphOutput) }
    let home = plan.nesting.root(of: region)
    guard home.region != concat.outputRegion else { return .copy(.repeatedOperand) }
    guard home.offset == 0, let count = operandsFilling(home.region, from: index, of: concat) else {
      return .copy(.placedInAnotherConcat(regionNames[home.region]))
    }
    return .place(root: home.region, count: count)
  }

  /// How many operands from `index` on are, in order and with nothing else, the whole of the root region `root`:
  /// 1 for an operand whose region is its own root; more for the run of operands an earlier Concat's output
  /// holds. nil when they are not.
  private mutating func operandsFilling(_ root: Int, from index: Int, of concat: PendingConcat) -> Int? {
    let rootBytes = plan.builder.regionSizes[root]
    var covered = 0
    var end = index
    while end < concat.operands.count, covered < rootBytes {
      let tensor = plan.builder[concat.operands[end].tensor]
      guard let region = tensor.arenaRegion else { return nil }
      let home = plan.nesting.root(of: region)
      guard home.region == root, home.offset == covered else { return nil }
      covered += tensor.byteCount
      end += 1
    }
    return covered == rootBytes ? end - index : nil
  }

  /// The earlier Concat output (not a graph output) that already holds every operand, consecutive and in
  /// order, and where in it the first one starts: this Concat's output is then that part of it.
  private mutating func enclosingConcat(of concat: PendingConcat) -> (region: Int, offset: Int)? {
    var enclosing: (region: Int, offset: Int)?
    for index in concat.operands.indices {
      guard let region = plan.builder[concat.operands[index].tensor].arenaRegion else { return nil }
      let home = plan.nesting.root(of: region)
      let start = home.offset - byteOffset(concat, index)
      guard isConcatOutput[home.region], home.region != concat.outputRegion, !isGraphOutput[home.region],
        enclosing.map({ $0 == (home.region, start) }) ?? true
      else { return nil }
      enclosing = (home.region, start)
    }
    return enclosing
  }

  /// Where operand `index` starts in the output, in bytes (its slab, when the slabs are contiguous).
  private func byteOffset(_ concat: PendingConcat, _ index: Int) -> Int {
    concat.operands[index].elementOffset * plan.builder[concat.output].dtype.byteWidth
  }

  /// Turns the strided copy of operand `index` into a plain copy into a tensor of its own, nested at its slab.
  private mutating func copyIntoSlab(_ index: Int, of concat: PendingConcat) throws(ModelError) {
    let operand = concat.operands[index]
    let source = plan.builder[operand.tensor]
    let slab = try plan.builder.activation(
      name: "\(plan.builder[concat.output].name)[\(operand.slot)]", dtype: source.dtype, dims: source.dims)
    // A fresh activation is the newest region.
    let slabRegion = plan.builder.regionSizes.count - 1
    plan.nesting.extend(toRegionCount: plan.builder.regionSizes.count)
    plan.nesting.place(slabRegion, inside: concat.outputRegion, at: byteOffset(concat, index))
    plan.builder.replaceStep(
      at: operand.step,
      with: PlanStep(
        name: concat.name, kernel: .copy, inputs: [operand.tensor], outputs: [slab],
        params: .copy(StridedCopy.contiguous(source.dims))))
  }
}
