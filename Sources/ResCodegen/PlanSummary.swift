import ResPlan

/// What a compilation produced, in numbers: what `rescompile MODEL.onnx` prints.
public struct PlanSummary: Sendable, Hashable {
  /// Steps of one kernel.
  public struct KernelCount: Sendable, Hashable {
    public var kernel: String
    public var count: Int
  }

  /// IR nodes the plan was made from.
  public var sourceNodeCount: Int
  /// Nodes computed at compile time (shape arithmetic and other nodes of constants).
  public var foldedNodeCount: Int
  public var stepCount: Int
  /// Steps per kernel, sorted by kernel name.
  public var kernelCounts: [KernelCount]
  public var bufferCount: Int
  /// Constants stored (identical ones once) and the size of the constant section.
  public var constantCount: Int
  public var constantBytes: Int
  /// The activation arena as planned, and as it would be without reusing memory.
  public var arenaBytes: Int
  public var naiveArenaBytes: Int
  /// Step outputs stored over an input that dies at their step (in-place epilogues), sharing its arena bytes.
  public var inPlaceOutputCount: Int
  /// Bytes of Concat operands moved into the Concat's output by copy steps, and bytes computed straight into
  /// their part of it (no step).
  public var concatCopiedBytes: Int
  public var concatAliasedBytes: Int
  /// The size of the whole plan file.
  public var fileBytes: Int

  init(
    sourceNodeCount: Int, foldedNodeCount: Int, steps: [PlanStep], bufferCount: Int, constantBytes: Int,
    constantCount: Int, arenaBytes: Int, naiveArenaBytes: Int, inPlaceOutputCount: Int, concatCopiedBytes: Int,
    concatAliasedBytes: Int, fileBytes: Int
  ) {
    self.sourceNodeCount = sourceNodeCount
    self.foldedNodeCount = foldedNodeCount
    stepCount = steps.count
    var counts: [String: Int] = [:]
    for step in steps { counts[step.kernel.rawValue, default: 0] += 1 }
    kernelCounts = counts.sorted { $0.key < $1.key }.map { KernelCount(kernel: $0.key, count: $0.value) }
    self.bufferCount = bufferCount
    self.constantBytes = constantBytes
    self.constantCount = constantCount
    self.arenaBytes = arenaBytes
    self.naiveArenaBytes = naiveArenaBytes
    self.inPlaceOutputCount = inPlaceOutputCount
    self.concatCopiedBytes = concatCopiedBytes
    self.concatAliasedBytes = concatAliasedBytes
    self.fileBytes = fileBytes
  }

  /// `binary×8 f32_conv_nchw_generic×20 ...`.
  public var kernelCountsLine: String {
    kernelCounts.map { "\($0.kernel)×\($0.count)" }.joined(separator: " ")
  }
}
