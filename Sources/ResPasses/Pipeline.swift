import ResIR

/// The optimization pipeline: a literal list, in order, each entry with the reason it is there and where.
///
/// Pass names are the command line's (`--passes`, `--disable-pass`, `--print-after`). Every pattern is also
/// available as a pass of its own name, so `--passes eliminate-identity` runs just that pattern.
public enum Pipeline {
  public struct Entry: Sendable {
    public let pass: any GraphPass
    /// The lowest level that runs it.
    public let level: OptimizationLevel
    /// Why it is in the pipeline, and why at this position.
    public let reason: String
  }

  public static let entries: [Entry] = canonicalization + fusion + [cleanup]

  /// The canonicalization stage, in order; also runnable as one pass, `canonicalize`. Every entry is exact
  /// (the optimized graph computes what the model computes, bit for bit as far as the code generator goes: it
  /// folds the same nodes with the same evaluator at -O0), and cheap, so the stage runs from -O1 up.
  static let canonicalization: [Entry] = [
    Entry(
      pass: PatternPass(name: "eliminate-identity", patterns: [EliminateIdentity()]), level: .basic,
      reason: "first: connects producers to consumers directly, so every later pass sees the real graph; an "
        + "Identity of a weight becomes the weight itself, not a folded copy of it"),
    Entry(
      pass: PatternPass(name: "sum-of-two-as-add", patterns: [SumOfTwoAsAdd()]), level: .basic,
      reason: "after identities, before every pattern that looks for an Add: a two-operand Sum (Caffe2's "
        + "residual joins) is that Add, so folding, epilogue fusion and the block finder treat it as one"),
    Entry(
      pass: FoldConstants(), level: .basic,
      reason: "after identities: collapses the Shape/Gather/Unsqueeze/Concat arithmetic of exports and nodes of "
        + "constants, so fusion patterns see constant shapes, scales and biases"),
    Entry(
      pass: MergeIdenticalConstants(), level: .basic,
      reason: "after folding, which makes equal constants of equal Shape chains: readers of copies of one "
        + "tensor read one constant, so they become candidates for the next entry"),
    Entry(
      pass: EliminateCommonSubexpressions(), level: .basic,
      reason: "after merging constants: nodes computing the same thing from the same operands run once"),
    Entry(
      pass: PatternPass(name: "sink-transposes", patterns: [SinkTranspose(), ComposeTransposes()]), level: .basic,
      reason: "after folding, which leaves a tf2onnx model's bias, scale and pad operands constants it can "
        + "permute: the Transposes to NHWC after each Conv move past the elementwise ops, pads and reductions "
        + "to the Transpose back before the next Conv, and the pairs cancel (exact); before the Pad folding, "
        + "BatchNorm folding and epilogue fusion, which then find those ops next to their convolutions"),
    Entry(
      pass: PatternPass(name: "fold-pad-into-conv", patterns: [FoldPadIntoConv()]), level: .basic,
      reason: "after folding, which turns the pads that TF-style \"SAME\" exports compute from Shape into "
        + "constants: a zero Pad before a Conv becomes the Conv's own padding (exact); before fusion, so "
        + "BatchNorm folding and epilogue fusion see the Conv reading the unpadded tensor"),
    Entry(
      pass: PatternPass(name: "recognize-prelu", patterns: [RecognizePRelu()]), level: .basic,
      reason: "after folding, which leaves a PRelu's slope a visible constant: Where(x < 0, x · slope, x) "
        + "becomes the one PRelu op, and a PRelu of one slope becomes LeakyRelu (both exact), an activation "
        + "the epilogue fusion below can take"),
  ]

  /// The fusion stage, from -O2: rewrites that change how the model is computed (within the tolerance the
  /// reference checks), each needing the canonical graph the stage above leaves.
  static let fusion: [Entry] = [
    Entry(
      pass: DeadCodeElimination(name: "dead-code-before-fusion"), level: .full,
      reason: "first: the fusion patterns count readers, and a reader nothing reads any more (the "
        + "DequantizeLinear a quantized operator's import bypassed, the rest of a folded Shape chain) would "
        + "make them decline"),
    Entry(
      pass: PassSequence(
        name: "simplify-quantization",
        passes: [
          PatternPass(
            name: "simplify-quantization-patterns", patterns: [ElideIntegerRoundTrip(), FoldZeroPointShift()]),
          MergeIdenticalConstants(), EliminateCommonSubexpressions(),
        ]),
      level: .full,
      reason: "first, on the imported quantization arithmetic: the Casts to 8 bits and back between a quantized "
        + "model's operators, and the zero point added by one and subtracted by the next, cancel; the shifted "
        + "bounds two readers of one tensor get are equal constants, so merging them and common subexpressions "
        + "leaves one centring Clip per tensor; before fuse-epilogue, which then meets each convolution's "
        + "requantization directly. -O2 because a NaN passes through where the 8-bit Cast made it a number"),
    Entry(
      pass: PatternPass(name: "recognize-global-average-pool", patterns: [RecognizeGlobalAveragePool()]),
      level: .full,
      reason: "independent of the others: a ReduceMean over every spatial axis (a squeeze-and-excitation "
        + "squeeze) becomes GlobalAveragePool, which has a channels-last variant, so the code generator keeps "
        + "the block's region channels-last; -O2 because the pooling rounds its sum in its own order"),
    Entry(
      pass: PatternPass(name: "recognize-option-a-shortcut", patterns: [RecognizeOptionAShortcut()]), level: .full,
      reason: "after canonicalization, which leaves the Slice's starts, ends and steps as constants; before "
        + "fuse-epilogue, so the 1x1 Conv it makes of a strided Slice + channel Pad takes the residual Add and "
        + "ReLU like any projection. -O2 although exact for finite inputs: the Conv only pays once fusion merges "
        + "the Add into it (at -O1 nothing fuses, and C_out x C_in multiply-adds per pixel replace copies that "
        + "cost none), and its zero weights make an infinite input NaN where Pad writes 0"),
    Entry(
      pass: PatternPass(name: "batchnorm-folding", patterns: [FoldBatchNorm()]), level: .full,
      reason: "after canonicalization, so each BatchNormalization sees its producing Conv/Gemm/MatMul directly; "
        + "before epilogue fusion, which needs the producer's result to be linear and to feed the "
        + "activation or residual Add directly, with no BatchNormalization in between"),
    Entry(
      pass: PatternPass(name: "fold-channel-scale", patterns: [FoldChannelScale()]), level: .full,
      reason: "beside batchnorm-folding, for the BatchNormalization an exporter wrote as a Mul by a per-channel "
        + "constant (tf2onnx, after a depthwise convolution) or a layer scale: the factor goes into the "
        + "Conv/Gemm/MatMul's weights; before fuse-epilogue, so the activation after the Mul meets the producer"),
    Entry(
      pass: PatternPass(name: "hoist-pool-before-pointwise-conv", patterns: [HoistPoolBeforePointwiseConv()]),
      level: .full,
      reason: "after batchnorm-folding, which folds a BatchNormalization between a 1x1 conv and its pooling into "
        + "the conv, and before fuse-input-scale-shift, which would make the BN → ReLU before a DenseNet "
        + "transition's 1x1 conv that conv's prologue: the transition (BN → ReLU → 1x1 conv → 2x2 average "
        + "pool) instead pools the activated input and convolves a quarter of the positions, its BN → ReLU a "
        + "step of its own. -O2: the sums are taken in another order"),
    Entry(
      pass: PatternPass(
        name: "batchnorm-to-scale-shift", patterns: [BatchNormToScaleShift(), MulAddToScaleShift()]),
      level: .full,
      reason: "after batchnorm-folding and fold-channel-scale, so only the BatchNormalizations no Conv/Gemm/MatMul "
        + "could absorb (after Concat, after a residual Add, after a result with other readers), as the op or "
        + "written out as x · s + b (tf2onnx), become per-channel ScaleShifts; before fuse-epilogue, which "
        + "gives a ScaleShift the activation after it, so BN → ReLU is one step"),
    Entry(
      pass: PatternPass(name: "recognize-gelu", patterns: [RecognizeGeluErf(), RecognizeGeluTanh()]), level: .full,
      reason: "before fuse-epilogue: GELU's Erf and Tanh decompositions become Gelu nodes, an activation the "
        + "epilogue can apply; a decomposition reads its input several times, so nothing fuses through it"),
    Entry(
      pass: PatternPass(name: "recognize-hard-swish", patterns: [RecognizeHardSwish()]), level: .full,
      reason: "before fuse-epilogue, beside GELU's: HardSwish written as x · HardSigmoid(x) (PyTorch before opset "
        + "14) or x · relu6(x + 3) / 6 (tf2onnx) becomes HardSwish, an activation the epilogue applies; -O2 "
        + "because it rounds once where the decomposition rounds at each step"),
    Entry(
      pass: PatternPass(name: "recognize-mish", patterns: [RecognizeMish()]), level: .full,
      reason: "before fuse-epilogue, beside GELU's: Mish written as x · tanh(softplus(x)) (every export before "
        + "opset 18) becomes Mish, an activation the epilogue applies; -O2 because it rounds once where the "
        + "three steps round each"),
    Entry(
      pass: PatternPass(name: "recognize-layernorm", patterns: [RecognizeLayerNorm()]), level: .full,
      reason: "after canonicalization, which leaves the epsilon, the exponent 2 and the scale and shift as "
        + "constants; before fuse-add-layernorm, so a post-LN residual Add before a LayerNorm written out as "
        + "elementary ops (exports for opsets before 17) fuses into it like one exported as LayerNormalization; "
        + "before fuse-epilogue, which would otherwise take the scale's Mul and the shift's Add apart"),
    Entry(
      pass: PatternPass(name: "fuse-add-layernorm", patterns: [FuseAddLayerNorm()]), level: .full,
      reason: "before fuse-epilogue: a post-LN transformer's residual Add read only by a LayerNormalization "
        + "becomes that LayerNorm's residual operand (LN(x + r) in one step); run later, fuse-epilogue would put "
        + "the Add into the producing MatMul instead and the LayerNorm would read the sum back from memory. A "
        + "pre-LN residual stream (the sum read again by the next residual Add) is left to fuse-epilogue"),
    Entry(
      pass: PatternPass(name: "fuse-gated-skip", patterns: [FuseGatedSkip()]), level: .full,
      reason: "after canonicalization, which leaves the 1 of a Highway's 1 − T a visible constant: the gated "
        + "skip's Mul/Sub/Add nodes become one GatedSkip whose gate T stays data computed at run time. "
        + "Independent of epilogue fusion (T, H and X are results, never an epilogue's intermediates), it runs "
        + "before it so fuse-epilogue meets the already combined graph, as it does after fuse-add-layernorm"),
    Entry(
      pass: PatternPass(
        name: "fuse-epilogue",
        patterns: [FoldBiasAdd(), FuseResidualAdd(), FuseActivation(), FuseRequantization(), RequantizePerChannel()]),
      level: .full,
      reason: "after canonicalization, BatchNorm folding, GELU recognition and the fusions above, so the Adds "
        + "and activations that follow a Conv/Gemm/MatMul meet it directly; the patterns are listed in the "
        + "epilogue's own order (bias, residual, activation) and tried in that order on each node, so a constant "
        + "Add that is both per-channel and full-shape becomes a bias rather than a residual read; the guards "
        + "keep work after an activation out of the epilogue, so the fixed point does not depend on the order "
        + "nodes are visited; a quantized operator's requantization (Round of a scaled sum, then a Clip) is "
        + "the activation it fuses last, into the producer for one multiplier, as a ScaleShift for one per "
        + "channel (which fuse-input-scale-shift below may then make a 1x1 convolution's prologue)"),
    Entry(
      pass: PatternPass(name: "fold-scale-into-projection", patterns: [FoldScaleIntoProjection()]), level: .full,
      reason: "after fuse-epilogue, which has moved each projection's bias Add into its bias operand, so the "
        + "power-of-two scale of attention scores (Q·Kᵀ · 0.125) folds into the query projection's weight and "
        + "bias together, through the head split's Reshape and Transpose; exact, but it changes the weights "
        + "the plan stores, so it belongs with the other fusions"),
    Entry(
      pass: PatternPass(name: "fold-scale-shift-into-conv", patterns: [FoldScaleShiftIntoConv()]), level: .full,
      reason: "after fuse-epilogue, when each ScaleShift's activation is decided: one that took the ReLU after it "
        + "is no longer affine and stays a step; one left empty folds into the weights of the convolutions that "
        + "read it, where they read no zero padding. Epilogue fusion never makes a Conv read a ScaleShift or "
        + "removes such a read, so running it first would fold nothing more; before cleanup, which removes the "
        + "replaced weights"),
    Entry(
      pass: PatternPass(name: "fuse-input-scale-shift", patterns: [FuseInputScaleShift()]), level: .full,
      reason: "after fold-scale-shift-into-conv, which removes the ScaleShifts that fold into weights for free: "
        + "a ScaleShift left (one with a ReLU: DenseNet's BN → ReLU before each 1x1 conv, a pre-activation "
        + "ResNet's) whose only reader is an unpadded 1x1 conv becomes that conv's input prologue, applied while "
        + "the GEMM packs its input, so the activated tensor is never written; after fuse-epilogue, which "
        + "decides the ScaleShift's activation, and before cleanup"),
    Entry(
      pass: PatternPass(name: "widen-narrow-groups", patterns: [WidenNarrowGroups()]), level: .full,
      reason: "after every pass that changes convolution weights (BatchNorm and ScaleShift folding), so it "
        + "widens the final ones: groups narrower than a vector (ResNeXt's 4 channels, RegNet's 8) merge into "
        + "16-channel groups with block-diagonal weights that the dense kernels run at full width; -O2 because "
        + "a non-finite input then meets the zero weights of neighbouring groups"),
    Entry(
      pass: PatternPass(name: "trim-padded-taps", patterns: [TrimPaddedTaps()]), level: .full,
      reason: "last of the fusion stage, independent of the others: a window's taps that read only zero padding "
        + "at every output (DeepLab's atrous pyramid on a small feature map) are dropped, so the convolution may "
        + "become a 1x1 the code generator runs as a plain GEMM; -O2 because the sum is taken in another order"),
  ]

  /// The last entry at every level.
  static let cleanup = Entry(
    pass: DeadCodeElimination(), level: .basic,
    reason: "last: removes the producers that folding, merging and fusion left unused")

  /// The passes `level` runs, in pipeline order.
  public static func passes(for level: OptimizationLevel) -> [any GraphPass] {
    entries.filter { $0.level <= level }.map(\.pass)
  }

  /// Every pattern, for running one alone by name.
  static let patterns: [any RewritePattern] = [
    EliminateIdentity(), SumOfTwoAsAdd(), FoldBatchNorm(), RecognizeGeluErf(), RecognizeGeluTanh(), RecognizeLayerNorm(), FuseAddLayerNorm(), FuseGatedSkip(),
    FoldBiasAdd(), FuseResidualAdd(), FuseActivation(), RecognizeOptionAShortcut(),
    BatchNormToScaleShift(), MulAddToScaleShift(), FoldScaleShiftIntoConv(), FuseInputScaleShift(), FoldScaleIntoProjection(),
    FoldPadIntoConv(), SinkTranspose(), ComposeTransposes(), RecognizePRelu(), RecognizeHardSwish(), RecognizeMish(),
    HoistPoolBeforePointwiseConv(), ElideIntegerRoundTrip(), FoldZeroPointShift(), FuseRequantization(),
    RequantizePerChannel(),
  ]

  /// Stages runnable by one name, each the passes of its entries in order.
  static let stages: [PassSequence] = [
    PassSequence(name: "canonicalize", passes: canonicalization.map(\.pass) + [cleanup.pass])
  ]

  /// The pass called `name`: a pipeline pass, a stage, or a single pattern wrapped as a pass.
  public static func pass(named name: String) -> (any GraphPass)? {
    if let stage = stages.first(where: { $0.name == name }) { return stage }
    if let entry = entries.first(where: { $0.pass.name == name }) { return entry.pass }
    if let pattern = patterns.first(where: { $0.name == name }) {
      return PatternPass(name: name, patterns: [pattern])
    }
    return nil
  }

  /// Every name `pass(named:)` accepts, sorted (for error messages and `--help`).
  public static var allNames: [String] {
    Array(Set(entries.map(\.pass.name) + stages.map(\.name) + patterns.map(\.name))).sorted()
  }
}
