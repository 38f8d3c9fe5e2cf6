import ResPasses
import ResPlan

/// How to compile a graph into a plan.
public struct CodegenOptions: Sendable, Hashable {
  /// A value for every symbolic dimension of the graph's inputs (`["batch": 8]`): plans have static shapes.
  /// An unbound symbol, or a binding no input uses, is an error.
  public var dimensionBindings: [String: Int]
  /// The compiler that writes the plan, recorded in its header and metadata (`rescompile 0.1.0`).
  public var producer: String
  /// A fingerprint of the model file, recorded so a plan can be traced to its source.
  public var sourceFingerprint: String
  /// How the graph was compiled (passes, bindings), recorded for `inspect`.
  public var compileOptions: String
  /// Results of compile-time evaluation larger than this many elements, and than their largest operand, stay
  /// steps instead of constants (the optimizer's `fold-constants` uses the same rule and default).
  public var foldingElementLimit: Int
  /// Computes Concat operands straight into their part of the output where possible (`ConcatAliasing`). Off,
  /// every operand is copied: for measuring what aliasing saves, and for ruling it out when debugging.
  public var concatAliasing: Bool
  /// MatMul steps read and write the Transposes next to them in place (`MatMulTransposes`: an attention head
  /// split or merge costs no copy). Off, every Transpose is a copy step: for measuring what it saves, and for
  /// ruling it out when debugging.
  public var transposedMatMulOperands: Bool
  /// Which regions of convolutions compute in the channels-last layout (`ChannelsLastAssignment`).
  public var activationLayout: ActivationLayoutPolicy
  /// Which Winograd output tile 3×3 weights are transformed for (`WinogradTilePolicy`): the geometry's by
  /// default, or `F(2×2)` everywhere for about two thirds of the rounding error.
  public var winogradTile: WinogradTilePolicy
  /// Which channels-last 3×3s compute as Winograd where the faster method depends on the machine
  /// (`WinogradReach`): `broad` unless the caller names the machine's (`ResCompiler` passes
  /// `ResRuntime.MachineTuning.winogradReach`). The runtime follows what the plan's weights were packed for.
  public var winogradReach: WinogradReach

  public init(
    dimensionBindings: [String: Int] = [:], producer: String = "rescompile", sourceFingerprint: String = "",
    compileOptions: String = "", foldingElementLimit: Int = FoldConstants.defaultElementLimit,
    concatAliasing: Bool = true, transposedMatMulOperands: Bool = true, activationLayout: ActivationLayoutPolicy = .automatic,
    winogradTile: WinogradTilePolicy = .automatic, winogradReach: WinogradReach = .broad
  ) {
    self.dimensionBindings = dimensionBindings
    self.producer = producer
    self.sourceFingerprint = sourceFingerprint
    self.compileOptions = compileOptions
    self.foldingElementLimit = foldingElementLimit
    self.concatAliasing = concatAliasing
    self.transposedMatMulOperands = transposedMatMulOperands
    self.activationLayout = activationLayout
    self.winogradTile = winogradTile
    self.winogradReach = winogradReach
  }
}
