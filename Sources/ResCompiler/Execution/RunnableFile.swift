import Foundation
import ResIR
import ResPlan
import ResRuntime

/// What `rescompile run` and `bench` accept: a compiled plan, or an ONNX model that they compile in memory.
///
/// The kind is decided by the file's first bytes (a plan starts with `RESPLAN\0`), not by its name, so a plan
/// saved as `model.bin` still loads as a plan and an ONNX file without the `.onnx` extension still compiles.
public enum RunnableFile: Sendable {
  case plan(Plan)
  case model(LoadedModel)
  /// A model with symbolic input dimensions `--dim` left open: imported once the inputs give their sizes.
  case deferredModel(DeferredModel)

  /// Loads the plan at `path`, or imports (with `options`) and verifies the model there, or, when the model
  /// has symbolic input dimensions that `options` does not bind, reads its inputs' declarations and leaves
  /// the import to `plan(options:inputs:)`. Throws a `RuntimeError` for a bad plan and a `ModelError` for a
  /// bad model.
  public static func open(_ path: String, importing options: ImportOptions = ImportOptions()) throws -> RunnableFile {
    if isPlanFile(path) { return .plan(try Plan(contentsOf: path)) }
    if let deferred = DeferredModel.open(path, options: options) { return .deferredModel(deferred) }
    return .model(try LoadedModel(contentsOf: path, options: options))
  }

  /// Whether the file at `path` starts with the plan magic, or with part of it and then ends (a plan cut short,
  /// which the plan loader then reports as truncated: no ONNX model starts with `R`, which would be protobuf
  /// field 10, one ModelProto does not have). False for anything unreadable, so that the model importer gives
  /// its own error for it.
  public static func isPlanFile(_ path: String) -> Bool {
    guard let handle = FileHandle(forReadingAtPath: path) else { return false }
    defer { try? handle.close() }
    let head = Array((try? handle.read(upToCount: PlanHeader.magic.count)) ?? Data())
    return !head.isEmpty && PlanHeader.magic.starts(with: head)
  }

  /// The inputs' names in graph order (the order of `input_K.pb` files).
  public var inputNames: [String] {
    switch self {
    case .plan(let plan): plan.inputs.map(\.name)
    case .model(let model): model.inputNames
    case .deferredModel(let model): model.inputNames
    }
  }

  /// The plan to run: the loaded plan itself, or the model compiled in memory with `options`, every symbolic
  /// dimension that `options` leaves open bound to its size in `inputs` (a deferred model is imported with
  /// those sizes first).
  public func plan(options: CompileOptions, inputs: [String: Constant] = [:]) throws -> Plan {
    switch self {
    case .plan(let plan):
      return plan
    case .model(let model):
      return try Self.compile(model, options: options, inputs: inputs)
    case .deferredModel(let deferred):
      return try Self.compile(deferred.imported(matching: inputs), options: options, inputs: inputs)
    }
  }

  private static func compile(_ model: LoadedModel, options: CompileOptions, inputs: [String: Constant]) throws -> Plan {
    var bound = options
    bound.dimensionBindings = try model.dimensionBindings(matching: inputs, explicit: options.dimensionBindings)
    return try model.compile(options: bound).loaded()
  }
}

extension CompiledPlan {
  /// The plan loaded by the runtime straight from memory, as if written and read back: the same validation a
  /// plan file gets.
  public func loaded() throws(RuntimeError) -> Plan {
    try Plan(bytes: bytes)
  }
}
