import Foundation
import ResPlan

/// A compiled plan, loaded and validated: load once, then run it from any number of `Runner`s at once.
///
/// ```swift
/// let plan = try Plan(contentsOf: URL(fileURLWithPath: "resnet50.resplan"))
/// let runner = try Runner(plan, threads: 2)
/// let image = try Tensor(pixels, shape: [1, 3, 224, 224])      // pixels: [Float]
/// let logits = try runner.run(["input": image])["logits"]!.floats
/// ```
///
/// Loading maps the file read-only, checks the header, the metadata checksum and the CPU features the plan
/// assumes, decodes the metadata and validates all of it (`PlanValidator`) before building one operator per
/// step. Constants are used in place from the mapping, weights the compiler packed for their kernels included,
/// so loading reads no weight (the constant section's checksum is checked on request: `verifyConstants`; see
/// schemas/PLAN-FORMAT.md, "Integrity"). A plan is immutable after loading, so sharing it between threads is safe.
public final class Plan: @unchecked Sendable {
  /// What the plan contains, for display (`rescompile inspect`).
  public let summary: PlanSummary
  let program: Program
  let constants: UnsafeRawBufferPointer
  let requiredFeatures: CPUFeatures
  /// Keeps the mapped file (or the copied bytes) alive as long as the plan.
  private let storage: AnyObject

  /// Loads the plan at `url` (a file URL). With `checkCPUFeatures: false` a plan compiled for another CPU
  /// still loads (to inspect it); a `Runner` then refuses it. With `verifyConstants: true` the constant
  /// section's checksum is checked too, which reads every weight (`rescompile inspect --verify`); by default
  /// the weights stay unread until a run needs them, and the header and metadata checksums plus validation
  /// are what a load checks (schemas/PLAN-FORMAT.md, "Integrity").
  public convenience init(contentsOf url: URL, checkCPUFeatures: Bool = true, verifyConstants: Bool = false)
    throws(RuntimeError)
  {
    try self.init(contentsOf: url.path, checkCPUFeatures: checkCPUFeatures, verifyConstants: verifyConstants)
  }

  public convenience init(contentsOf path: String, checkCPUFeatures: Bool = true, verifyConstants: Bool = false)
    throws(RuntimeError)
  {
    let file = try MappedFile(path: path)
    try self.init(file.bytes, storage: file, checkCPUFeatures: checkCPUFeatures, verifyConstants: verifyConstants)
  }

  /// Loads a plan from bytes in memory (copied once into aligned memory). Its constants are checked against
  /// their checksum: the copy reads them anyway.
  public convenience init(bytes: [UInt8], checkCPUFeatures: Bool = true) throws(RuntimeError) {
    let memory = try AlignedMemory.allocate(bytes.count, for: "the plan")
    bytes.withUnsafeBytes { source in
      if let base = source.baseAddress { memory.base.copyMemory(from: base, byteCount: source.count) }
    }
    try self.init(
      UnsafeRawBufferPointer(start: memory.base, count: bytes.count), storage: memory, checkCPUFeatures: checkCPUFeatures,
      verifyConstants: true)
  }

  private init(_ file: UnsafeRawBufferPointer, storage: AnyObject, checkCPUFeatures: Bool, verifyConstants: Bool)
    throws(RuntimeError)
  {
    let sections: PlanFile.Sections
    do {
      sections = try PlanFile.sections(of: file, verifyConstants: verifyConstants)
    } catch {
      throw RuntimeError(error)
    }
    requiredFeatures = sections.header.requiredFeatures
    if checkCPUFeatures { try CPUSupport.check(requiredFeatures) }
    let metadata: Rescompile_Plan_PlanMetadata
    do {
      metadata = try Rescompile_Plan_PlanMetadata(serializedBytes: Array(sections.metadata))
    } catch {
      throw .invalidPlan("corrupt plan: the metadata does not decode (\(error))")
    }
    program = try PlanValidator.validate(metadata, constants: sections.constants)
    constants = sections.constants
    self.storage = storage
    summary = Plan.summarize(metadata, program, sections)
    // Loaded to be run here, not only inspected (the compiler loads each plan it writes, to check it).
    if checkCPUFeatures { CPUSupport.noteUnusedFeaturesOnce() }
  }

  public var inputs: [TensorDescription] { summary.inputs }
  public var outputs: [TensorDescription] { summary.outputs }
  public var producer: String { summary.producer }
  /// Names of the CPU features the plan's kernels assume.
  public var features: [String] { summary.requiredFeatures }
  public var arenaBytes: Int { summary.arenaBytes }
  public var constantBytes: Int { summary.constantBytes }
  public var stepCount: Int { summary.steps.count }
  /// The kernel each step runs, in order.
  public var kernelNames: [String] { summary.steps.map(\.kernel) }
  /// The output tile `m` of each step computed by Winograd's `F(m×m, 3×3)`, in step order: `check` names the
  /// F(4×4) ones when outputs miss the tolerance, since that tile rounds most (`--winograd-tile`).
  public var winogradOutputTiles: [Int] {
    program.steps.compactMap { ($0.operation as? ConvOperator)?.winogradOutputTile }
  }

  private static func summarize(
    _ metadata: Rescompile_Plan_PlanMetadata, _ program: Program, _ sections: PlanFile.Sections
  ) -> PlanSummary {
    let describe = { (binding: Program.Binding) in
      TensorDescription(name: binding.name, elementType: binding.buffer.elementType, shape: binding.buffer.shape)
    }
    return PlanSummary(
      formatVersion: Int(sections.header.formatVersion), producer: metadata.producer, modelName: metadata.modelName,
      sourceFingerprint: metadata.sourceFingerprint, compileOptions: metadata.compileOptions,
      requiredFeatures: sections.header.requiredFeatures.names, inputs: program.inputs.map(describe),
      outputs: program.outputs.map(describe),
      steps: program.steps.map { step in
        StepSummary(
          index: step.site.index, name: step.site.name, kernel: step.site.kernel, method: step.operation.methodLabel,
          inputs: step.inputs.map(BufferSummary.init), outputs: step.outputs.map(BufferSummary.init))
      },
      arenaBytes: program.arenaBytes, naiveArenaBytes: Int(clamping: metadata.naiveArenaBytes),
      constantBytes: sections.constants.count, sourceNodeCount: Int(metadata.sourceNodeCount))
  }
}
