import ResReference

/// What `LoadedModel.check` found: every output of every data set compared with its reference.
public struct CheckReport: Sendable {
  /// What the compiled plan's outputs were compared with.
  public enum Reference: Sendable, Hashable {
    /// Expected outputs stored next to the inputs (`test_data_set_N/output_K.pb`), e.g. from onnxruntime.
    case testData(folders: [String])
    /// No stored outputs: the reference evaluator (ResReference) on the imported graph, with seeded inputs.
    case referenceEvaluator(seed: UInt64)
  }

  /// One output of one data set.
  public struct OutputResult: Sendable {
    /// The data set's folder name (`test_data_set_0`), or `seeded inputs`.
    public var dataSet: String
    public var output: String
    /// The expected tensor's type, `f32[1,10]`.
    public var type: String
    public var comparison: ToleranceComparison
    /// For an output that failed against stored reference data, where the reference evaluator puts it
    /// (`EvaluatorOpinion`); nil otherwise, and where the evaluator cannot run the model.
    public var evaluatorOpinion: EvaluatorOpinion? = nil
  }

  public var reference: Reference
  public var results: [OutputResult]
  /// The tolerance every output was compared with.
  public var tolerance: OutputTolerance
  /// Compiling (once per distinct set of dimension bindings) and loading the plans.
  public var compileTime: Duration
  /// Running the plans, summed over the data sets.
  public var runTime: Duration
  /// Steps of the (last) compiled plan.
  public var stepCount: Int
  /// Steps of the (last) compiled plan computed by Winograd F(4×4), which rounds several times more than a
  /// direct convolution (`CompileOptions.winogradTile`): what a small mismatch may come from.
  public var fourByFourWinogradSteps: Int = 0
  /// Whether the model has float16 values: its outputs carry float16's rounding, and the default tolerance is
  /// `OutputTolerance.float16`.
  public var float16Model = false

  /// True when every output of every data set is within the tolerance.
  public var passed: Bool { results.allSatisfy(\.comparison.passed) }

  /// The results that are not within the tolerance.
  public var failures: [OutputResult] { results.filter { !$0.comparison.passed } }
}
