import ResIR
import ResONNX

/// An ONNX model whose import waits for its inputs: some of its inputs' symbolic dimensions are left open by
/// `ImportOptions.dimensionBindings` (`--dim`), and `run` and `check` learn their sizes from input files.
///
/// Why wait: binding the sizes while the model is read is what imports a model exported with a dynamic height
/// and width (its ConvTranspose and Resize become ops whose sizes the importer computes); imported first and
/// bound only when compiled, such a model stops at its first Resize. Waiting costs a second read of the
/// file's structure (not its weights), to learn the inputs' names and declared types.
public struct DeferredModel: Sendable {
  /// The model file, as the user gave it.
  public let path: String
  /// How to import it; `dimensionBindings` are the sizes given up front (`--dim`).
  public let options: ImportOptions
  /// The inputs the import will have, in graph order.
  public let inputs: [ONNXInputDeclaration]

  /// The model at `path` as a deferred import when some symbolic input dimension is not bound by `options`;
  /// nil when every size is known already (import it now), and nil when its inputs cannot be read, so that
  /// the import reports the problem as it would for any model.
  public static func open(_ path: String, options: ImportOptions = ImportOptions()) -> DeferredModel? {
    guard let inputs = try? ONNXImporter.inputDeclarations(at: path),
      inputs.contains(where: { $0.symbols.contains { options.dimensionBindings[$0] == nil } })
    else { return nil }
    return DeferredModel(path: path, options: options, inputs: inputs)
  }

  /// The inputs' names in graph order: the order of `input_K.pb` files.
  public var inputNames: [String] { inputs.map(\.name) }

  /// The `--dim` sizes, completed with the size each other symbolic input dimension has in `tensors`; throws
  /// as `LoadedModel.dimensionBindings(matching:explicit:)` does.
  public func dimensionBindings(matching tensors: [String: Constant]) throws(ModelError) -> [String: Int] {
    try InputSizes.bindings(
      declared: inputs.map { (name: $0.name, type: $0.type) }, matching: tensors, explicit: options.dimensionBindings)
  }

  /// The model imported and verified with the symbolic dimensions bound to their sizes in `tensors`.
  public func imported(matching tensors: [String: Constant]) throws(ModelError) -> LoadedModel {
    try imported(binding: dimensionBindings(matching: tensors))
  }

  private func imported(binding bindings: [String: Int]) throws(ModelError) -> LoadedModel {
    var bound = options
    bound.dimensionBindings = bindings
    return try LoadedModel(contentsOf: path, options: bound)
  }

  /// `LoadedModel.check(against:options:rtol:atol:threads:)` for each group of data sets whose inputs give the
  /// same sizes, the model imported once per group; the results in the data sets' order. Every group has the
  /// same tolerance: element types do not depend on the sizes.
  public func check(
    against dataSets: [TestDataSet], options: CompileOptions, rtol: Double? = nil, atol: Double? = nil,
    threads: Int = 1
  ) throws -> CheckReport {
    var groups: [(bindings: [String: Int], dataSets: [TestDataSet])] = []
    for dataSet in dataSets {
      let bindings = try dimensionBindings(matching: dataSet.namedInputs(inputNames))
      if let index = groups.firstIndex(where: { $0.bindings == bindings }) {
        groups[index].dataSets.append(dataSet)
      } else {
        groups.append((bindings, [dataSet]))
      }
    }
    var reports: [CheckReport] = []
    for group in groups {
      let model = try imported(binding: group.bindings)
      reports.append(try model.check(against: group.dataSets, options: options, rtol: rtol, atol: atol, threads: threads))
    }
    return CheckReport(merging: reports, in: dataSets)
  }
}

extension CheckReport {
  /// One report of the data sets' reports (each over some of them): results in `dataSets`' order, the times
  /// summed, the step counts of the last compile, the tolerance of the first (all have the same).
  init(merging reports: [CheckReport], in dataSets: [TestDataSet]) {
    let order = Dictionary(dataSets.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    let results = reports.flatMap(\.results).enumerated().sorted { a, b in
      let (x, y) = (order[a.element.dataSet] ?? Int.max, order[b.element.dataSet] ?? Int.max)
      return x != y ? x < y : a.offset < b.offset
    }
    self.init(
      reference: .testData(folders: dataSets.map(\.folder)), results: results.map(\.element),
      tolerance: reports.first?.tolerance ?? .float32,
      compileTime: reports.reduce(.zero) { $0 + $1.compileTime }, runTime: reports.reduce(.zero) { $0 + $1.runTime },
      stepCount: reports.last?.stepCount ?? 0, fourByFourWinogradSteps: reports.last?.fourByFourWinogradSteps ?? 0,
      float16Model: reports.first?.float16Model ?? false)
  }
}
