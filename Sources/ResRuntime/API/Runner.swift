import Foundation

/// Runs a `Plan`: owns one activation arena, scratch memory and a small pool of worker threads.
///
/// Make one runner per concurrent caller; they share the plan (and its constants) read-only. A runner may
/// itself be called from several threads: runs on the same runner take turns (they share its arena).
///
/// `threads` splits the large kernels (convolution, GEMM and MatMul, large elementwise operations) over that
/// many threads, only along their outputs, never along a reduction: every output element is computed the same
/// way whatever the split, so results are bit-identical for any thread count. Small operations use one
/// thread.
public final class Runner: @unchecked Sendable {
  public let plan: Plan
  public let threads: Int
  private let arena: AlignedMemory
  private let scratch: AlignedMemory
  private let sharedScratch: AlignedMemory
  private let pool: WorkerPool?
  /// Where each buffer lives when nothing is bound in place: the arena or the constant section.
  private let homeAddresses: [UnsafeMutableRawPointer]
  private let lock = NSLock()

  /// The most threads a runner accepts.
  public static let maximumThreads = 256

  public init(_ plan: Plan, threads: Int = 1) throws(RuntimeError) {
    guard (1...Runner.maximumThreads).contains(threads) else {
      throw .invalidInput("threads must be 1 to \(Runner.maximumThreads), not \(threads)")
    }
    try CPUSupport.check(plan.requiredFeatures)
    CPUSupport.noteUnusedFeaturesOnce()
    let program = plan.program
    self.plan = plan
    self.threads = threads
    arena = try AlignedMemory.allocate(program.arenaBytes, for: "the activation arena")
    let scratchBytes = program.scratchBytesPerWorker.multipliedReportingOverflow(by: threads)
    guard !scratchBytes.overflow else { throw RuntimeError(.resources, "scratch memory size overflows") }
    scratch = try AlignedMemory.allocate(scratchBytes.partialValue, for: "kernel scratch")
    sharedScratch = try AlignedMemory.allocate(program.sharedScratchBytes, for: "kernel scratch")
    pool = threads > 1 ? WorkerPool(helpers: threads - 1) : nil
    let arenaBase = arena.base
    let constantBase = UnsafeMutableRawPointer(mutating: plan.constants.baseAddress ?? UnsafeRawPointer(arenaBase))
    homeAddresses = program.buffers.map { buffer in
      switch buffer.storage {
      case .arena(let offset): arenaBase + offset
      case .constant(let offset): constantBase + offset
      }
    }
  }

  deinit {
    pool?.shutDown()
  }

  /// Runs the plan on `inputs` (every plan input by name, with exactly its element type and shape) and
  /// returns every output by name. Output arrays are written by the kernels directly where the plan allows.
  public func run(_ inputs: [String: Tensor]) throws(RuntimeError) -> [String: Tensor] {
    let ordered = try orderedInputs(inputs)
    var specs = plan.outputs[...]
    var arrays: [any TensorArray] = []
    try RunBuffers.withZeroArrays(&specs, &arrays) { (destinations) throws(RuntimeError) in
      try execute(ordered, destinations.map { Optional($0) })
    }
    var result: [String: Tensor] = [:]
    for (description, array) in zip(plan.outputs, arrays) {
      result[description.name] = Tensor(shape: description.shape, array: array)
    }
    return result
  }

  /// Runs the plan and writes the outputs named in `outputs` into the caller's buffers (each exactly the
  /// output's byte size); outputs not named are computed and dropped. Where the plan allows, the kernels write
  /// into these buffers directly, with no copy.
  public func run(_ inputs: [String: Tensor], into outputs: [String: UnsafeMutableRawBufferPointer])
    throws(RuntimeError)
  {
    let ordered = try orderedInputs(inputs)
    let names = Set(plan.outputs.map(\.name))
    for name in outputs.keys.sorted() where !names.contains(name) {
      throw .invalidInput("\(MessageText.quoted(name)) is not an output of this plan (its outputs: \(Runner.list(plan.outputs)))")
    }
    let destinations = try plan.outputs.map { (description) throws(RuntimeError) -> UnsafeMutableRawBufferPointer? in
      guard let buffer = outputs[description.name] else { return nil }
      let expected = description.shape.reduce(1, *) * description.elementType.byteWidth
      guard buffer.count == expected else {
        throw .invalidInput(
          "the buffer for output \(MessageText.quoted(description.name)) has \(buffer.count) bytes, expected \(expected) (\(description))")
      }
      return buffer
    }
    try execute(ordered, destinations)
  }

  /// The caller's tensors in the plan's input order, each checked against the plan.
  func orderedInputs(_ inputs: [String: Tensor]) throws(RuntimeError) -> [Tensor] {
    let names = Set(plan.inputs.map(\.name))
    for name in inputs.keys.sorted() where !names.contains(name) {
      throw .invalidInput("\(MessageText.quoted(name)) is not an input of this plan (its inputs: \(Runner.list(plan.inputs)))")
    }
    return try plan.inputs.map { (description) throws(RuntimeError) -> Tensor in
      guard let tensor = inputs[description.name] else {
        throw .invalidInput("missing input \(MessageText.quoted(description.name)) (\(description))")
      }
      guard tensor.elementType == description.elementType else {
        throw .invalidInput(
          "input \(MessageText.quoted(description.name)) has element type \(tensor.elementType.rawValue), expected \(description.elementType.rawValue)"
        )
      }
      guard tensor.shape == description.shape else {
        let batchNote =
          tensor.shape.count == description.shape.count && tensor.shape.dropFirst() == description.shape.dropFirst()
          ? " (the plan was compiled for batch size \(description.shape.first ?? 0); recompile for another)" : ""
        throw .invalidInput(
          "input \(MessageText.quoted(description.name)) has shape \(ShapeText.of(tensor.shape)), expected \(ShapeText.of(description.shape))\(batchNote)"
        )
      }
      return tensor
    }
  }

  /// One run: binds or copies the inputs, binds the writable outputs, runs the steps, copies the rest out.
  func execute(_ inputs: [Tensor], _ outputs: [UnsafeMutableRawBufferPointer?]) throws(RuntimeError) {
    let steps = plan.program.steps
    try execute(inputs, outputs) { (context) throws(RuntimeError) in
      // By index: `for step in steps` copied each step, retaining its arrays, site strings and operator
      // (2.5 % of a 0.5 ms GhostNet run).
      for index in steps.indices where steps[index].hasWork {
        try steps[index].operation.run(context)
      }
    }
  }

  /// One run with `runSteps` running the plan's steps on the run's context: the plain loop for `run`, a timed
  /// loop for `profile` (so the clock is only read on the profiling path).
  func execute(
    _ inputs: [Tensor], _ outputs: [UnsafeMutableRawBufferPointer?],
    runSteps: (RunContext) throws(RuntimeError) -> Void
  ) throws(RuntimeError) {
    try RunBuffers.withBytes(of: inputs[...]) { (sources) throws(RuntimeError) in
      lock.lock()
      defer { lock.unlock() }
      var addresses = homeAddresses
      bindInputs(sources, inputs, &addresses)
      let direct = bindOutputs(outputs, &addresses)
      try addresses.withUnsafeBufferPointer { (table) throws(RuntimeError) in
        let context = RunContext(
          addresses: table, scratch: scratch.base, scratchStride: plan.program.scratchBytesPerWorker,
          sharedScratch: sharedScratch.base, threads: threads, pool: pool)
        try runSteps(context)
      }
      for (position, destination) in outputs.enumerated() {
        guard let destination, !direct[position], let base = destination.baseAddress else { continue }
        base.copyMemory(from: addresses[plan.program.outputs[position].buffer.index], byteCount: destination.count)
      }
    }
  }

  /// Points an input's buffers at the caller's memory when the plan and the memory allow it; otherwise
  /// copies the input into its arena bytes.
  private func bindInputs(
    _ sources: [UnsafeRawBufferPointer], _ tensors: [Tensor], _ addresses: inout [UnsafeMutableRawPointer]
  ) {
    for (position, binding) in plan.program.inputs.enumerated() {
      let source = sources[position]
      guard let base = source.baseAddress, binding.buffer.byteCount > 0 else { continue }
      let bytes = UnsafeMutableRawPointer(mutating: base)
      if tensors[position].isReadableInPlace, let views = plan.program.inPlace.inputViews[position],
        views.allSatisfy({ Int(bitPattern: bytes + $0.offset) % plan.program.buffers[$0.buffer].elementType.byteWidth == 0 })
      {
        for view in views { addresses[view.buffer] = bytes + view.offset }
      } else {
        addresses[binding.buffer.index].copyMemory(from: base, byteCount: binding.buffer.byteCount)
      }
    }
  }

  /// Points writable outputs at the caller's buffers; returns which were bound.
  private func bindOutputs(
    _ outputs: [UnsafeMutableRawBufferPointer?], _ addresses: inout [UnsafeMutableRawPointer]
  ) -> [Bool] {
    outputs.enumerated().map { position, destination in
      let buffer = plan.program.outputs[position].buffer
      guard let destination, let base = destination.baseAddress, plan.program.inPlace.outputWritable[position],
        Int(bitPattern: base) % buffer.elementType.byteWidth == 0
      else { return false }
      addresses[buffer.index] = base
      return true
    }
  }

  private static func list(_ descriptions: [TensorDescription]) -> String {
    descriptions.map(\.description).joined(separator: ", ")
  }
}
