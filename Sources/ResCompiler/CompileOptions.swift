import ResPlan

/// How `LoadedModel.compile(options:)` compiles a model.
public struct CompileOptions: Sendable, Hashable {
  /// A value for every symbolic dimension of the model's inputs (`["batch": 8]`); plans have static shapes.
  public var dimensionBindings: [String: Int]
  /// How much the optimizer does (`-O0`, `-O1`, `-O2`); the default is everything.
  public var optimization: OptimizationLevel
  /// Run exactly these passes, in this order, instead of the level's pipeline (`--passes a,b`).
  public var passes: [String]?
  /// Passes and patterns to skip (`--disable-pass NAME`).
  public var disabledPasses: Set<String>
  /// Where the code generator stores activations channels-last (`--layout`): where that pays (the default),
  /// nowhere, or in every region with a convolution.
  public var activationLayout: ActivationLayoutPolicy
  /// Which Winograd output tile 3×3 convolutions compute in (`--winograd-tile`): the geometry's (the
  /// default), or `F(2×2)` everywhere for about two thirds of the rounding error of `F(4×4)`.
  public var winogradTile: WinogradTilePolicy
  /// Which 3×3 convolutions compute as Winograd where the faster method depends on the machine
  /// (`--winograd-reach`, `WinogradReach`); nil (the default) for the machine compiling, so that a plan
  /// packed here runs best here (`ResRuntime.MachineTuning`). Name it to pack a plan for another machine.
  public var winogradReach: WinogradReach?
  /// Whether float16 values are kept in float32 between ops (the default: `PromoteFloat16` runs before the
  /// other passes, as onnxruntime and OpenVINO compute on a CPU) or rounded to float16 after every op
  /// (`--float16-compute float16`, ONNX's typed semantics).
  public var float16Compute: Float16Compute

  public init(
    dimensionBindings: [String: Int] = [:], optimization: OptimizationLevel = .full, passes: [String]? = nil,
    disabledPasses: Set<String> = [], activationLayout: ActivationLayoutPolicy = .automatic,
    winogradTile: WinogradTilePolicy = .automatic, winogradReach: WinogradReach? = nil,
    float16Compute: Float16Compute = .float32
  ) {
    self.dimensionBindings = dimensionBindings
    self.optimization = optimization
    self.passes = passes
    self.disabledPasses = disabledPasses
    self.activationLayout = activationLayout
    self.winogradTile = winogradTile
    self.winogradReach = winogradReach
    self.float16Compute = float16Compute
  }

  /// The passes to run, in order: the explicit list if there is one, else the level's pipeline.
  ///
  /// Throws naming the unknown pass and listing the known ones, so a typo is not silently a no-op.
  public func resolvedPasses() throws(ModelError) -> [any GraphPass] {
    for name in (passes ?? []) + disabledPasses.sorted() where Pipeline.pass(named: name) == nil {
      throw ModelError("unknown pass '\(name)'; passes are: " + Pipeline.allNames.joined(separator: ", "))
    }
    guard let passes else { return Pipeline.passes(for: optimization) }
    return passes.compactMap { Pipeline.pass(named: $0) }
  }

  /// The passes to run on `graph`: `resolvedPasses()`, after `PromoteFloat16` when the graph has float16
  /// values to keep in float32 (a float32 model's pass list is the pipeline's alone).
  public func resolvedPasses(for graph: Graph) throws(ModelError) -> [any GraphPass] {
    let precision: [any GraphPass] =
      float16Compute == .float32 && PromoteFloat16.hasFloat16Values(graph) ? [PromoteFloat16()] : []
    return precision + (try resolvedPasses())
  }

  /// What the plan records about how it was compiled (for `inspect`): deterministic, bindings sorted.
  var description: String {
    let dims = dimensionBindings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    let pipeline = passes.map { "passes: " + ($0.isEmpty ? "none" : $0.joined(separator: ",")) }
      ?? "-O\(optimization.rawValue)"
    let disabled = disabledPasses.isEmpty ? "" : "; disabled: " + disabledPasses.sorted().joined(separator: ",")
    let layout = activationLayout == .automatic ? "" : "; layout: \(activationLayout.rawValue)"
    let tile = winogradTile == .automatic ? "" : "; winograd tile: \(winogradTile.rawValue)"
    let reach = winogradReach.map { "; winograd reach: \($0.rawValue)" } ?? ""
    let half = float16Compute == .float32 ? "" : "; float16 compute: \(float16Compute.rawValue)"
    return pipeline + disabled + "; dims: " + (dims.isEmpty ? "none" : dims.joined(separator: ",")) + layout + tile
      + reach + half
  }
}
