import ResPlan

/// Turns a plan's decoded metadata into a `Program`, checking everything first.
///
/// The invariant this establishes (and the reason every check exists): **a plan that validates can never
/// make a kernel touch memory outside its buffers, and every buffer lies inside the arena or the constant
/// section.** In detail:
/// - every buffer has a known element type, a shape of non-negative sizes whose element and byte counts do
///   not overflow, and a byte range inside the arena (`arena_bytes`) or the constant section; arena offsets
///   are multiples of the element width and constant offsets multiples of 64;
/// - every index a step, input or output names refers to an existing buffer; steps write only arena buffers;
///   a step's outputs do not overlap each other or its inputs (except an elementwise kernel writing exactly
///   the bytes of an input, in place, or a convolution writing over its residual's); graph inputs are distinct arena buffers that do not overlap, and names
///   are unique;
/// - each operator, as it is built, checks its operand count, element types and shapes against its kernel
///   and parameters (recomputing output shapes from the parameters, bounding every strided reach), so the
///   pointers it computes at run time stay inside the buffers it was given;
/// - values only known at run time (gather indices, sequence lengths) are checked by the operator before it
///   uses them.
/// Anything else is an error naming the buffer or step, never a crash.
enum PlanValidator {
  /// Buffers of higher rank are rejected: no real model needs them, and it bounds per-element index work.
  static let maximumRank = 16

  static func validate(_ metadata: Rescompile_Plan_PlanMetadata, constants: UnsafeRawBufferPointer)
    throws(RuntimeError) -> Program
  {
    let arenaBytes = try CheckedMath.int(metadata.arenaBytes, "arena_bytes")
    var buffers: [PlanBuffer] = []
    buffers.reserveCapacity(metadata.buffers.count)
    for (index, message) in metadata.buffers.enumerated() {
      buffers.append(try buffer(index, message, arenaBytes: arenaBytes, constantBytes: constants.count))
    }
    let inputs = try bindings(metadata.inputs, "input", buffers)
    let outputs = try bindings(metadata.outputs, "output", buffers)
    try checkInputs(inputs)
    var steps: [Program.Step] = []
    steps.reserveCapacity(metadata.steps.count)
    for (index, message) in metadata.steps.enumerated() {
      steps.append(try step(index, message, buffers, constants))
    }
    let perWorker = steps.map(\.operation.scratchBytesPerWorker).max() ?? 0
    let shared = steps.map(\.operation.sharedScratchBytes).max() ?? 0
    return Program(
      buffers: buffers, steps: steps, inputs: inputs, outputs: outputs, arenaBytes: arenaBytes,
      scratchBytesPerWorker: try roundUpToLine(perWorker), sharedScratchBytes: try roundUpToLine(shared),
      inPlace: InPlaceBindings(buffers: buffers, steps: steps, inputs: inputs, outputs: outputs))
  }

  private static func buffer(
    _ index: Int, _ message: Rescompile_Plan_Buffer, arenaBytes: Int, constantBytes: Int
  ) throws(RuntimeError) -> PlanBuffer {
    let label = "buffer \(index) \(MessageText.quoted(message.name))"
    guard let type = ElementType(message.dtype) else {
      throw .invalidPlan("\(label) has an unknown element type (\(message.dtype.rawValue))")
    }
    guard message.shape.count <= maximumRank else {
      throw .invalidPlan("\(label) has rank \(message.shape.count); at most \(maximumRank) is supported")
    }
    var shape: [Int] = []
    for size in message.shape {
      guard size >= 0 else {
        throw .invalidPlan(
          "\(label) has a negative size \(size) (a symbolic dimension must be fixed when the plan is compiled)")
      }
      shape.append(try CheckedMath.int(size, "\(label): size"))
    }
    let count = try CheckedMath.product(shape, "\(label): element count")
    let byteCount = try CheckedMath.multiply(count, type.byteWidth, "\(label): byte size")
    let packing = try panelPacking(message, type, count: count, label)
    let extent = packing.map { $0.floatCount * 4 } ?? byteCount
    let storage: PlanBuffer.Storage
    switch message.storage {
    case .arenaOffset(let raw):
      let offset = try CheckedMath.int(raw, "\(label): arena offset")
      guard offset % type.byteWidth == 0 else {
        throw .invalidPlan("\(label): arena offset \(offset) is not a multiple of the element width \(type.byteWidth)")
      }
      guard try CheckedMath.add(offset, byteCount, "\(label): arena range") <= arenaBytes else {
        throw .invalidPlan("\(label): arena bytes \(offset)..<\(offset + byteCount) exceed arena_bytes \(arenaBytes)")
      }
      guard packing == nil else { throw .invalidPlan("\(label) is packed but lives in the arena; only constants are packed") }
      storage = .arena(offset: offset)
    case .constantOffset(let raw):
      let offset = try CheckedMath.int(raw, "\(label): constant offset")
      guard offset % PlanHeader.constantAlignment == 0 else {
        throw .invalidPlan("\(label): constant offset \(offset) is not a multiple of \(PlanHeader.constantAlignment)")
      }
      guard try CheckedMath.add(offset, extent, "\(label): constant range") <= constantBytes else {
        throw .invalidPlan(
          "\(label): constant bytes \(offset)..<\(offset + extent) exceed the \(constantBytes)-byte constant section")
      }
      storage = .constant(offset: offset)
    case nil:
      throw .invalidPlan("\(label) has neither an arena offset nor a constant offset")
    }
    return PlanBuffer(
      index: index, name: message.name, elementType: type, shape: shape, count: count, byteCount: byteCount,
      storage: storage, packing: packing, layout: try layout(message, type, storage: storage, rank: shape.count, label))
  }

  /// The buffer's activation layout: channels-last only on an f32 or f16 arena buffer with a channel axis and
  /// one to three spatial axes (rank 3–5). f16 ones are a float16 model's values between its channels-last
  /// kernels, which only its elementwise steps and casts touch (every other kernel requires f32 operands).
  private static func layout(
    _ message: Rescompile_Plan_Buffer, _ type: ElementType, storage: PlanBuffer.Storage, rank: Int, _ label: String
  ) throws(RuntimeError) -> BufferLayout {
    switch message.layout {
    case .rowMajor: return .rowMajor
    case .channelsLast:
      guard type == .f32 || type == .f16, case .arena = storage, (3...5).contains(rank) else {
        throw .invalidPlan("\(label) is channels-last; only f32 and f16 activations of rank 3 to 5 in the arena can be")
      }
      return .channelsLast
    case .UNRECOGNIZED(let raw):
      throw .invalidPlan("\(label) has activation layout \(raw), unknown to this runtime")
    }
  }

  /// The buffer's panel packing, checked to describe exactly its `count` floats, or nil when it has none.
  private static func panelPacking(
    _ message: Rescompile_Plan_Buffer, _ type: ElementType, count: Int, _ label: String
  ) throws(RuntimeError) -> PanelLayout? {
    guard message.hasPacking else { return nil }
    guard type == .f32 else { throw .invalidPlan("\(label) is packed but is \(type.rawValue); only f32 is packed") }
    guard let layout = PanelLayout(message.packing) else { throw .invalidPlan("\(label): a packing field is too large") }
    if let problem = layout.problem(elementCount: count) {
      throw .invalidPlan("\(label): packing \(layout): \(problem)")
    }
    return layout
  }

  private static func bindings(
    _ messages: [Rescompile_Plan_TensorBinding], _ role: String, _ buffers: [PlanBuffer]
  ) throws(RuntimeError) -> [Program.Binding] {
    var seen = Set<String>()
    var result: [Program.Binding] = []
    for message in messages {
      guard !message.name.isEmpty else { throw .invalidPlan("a graph \(role) has an empty name") }
      guard seen.insert(message.name).inserted else {
        throw .invalidPlan("graph \(role) name \(MessageText.quoted(message.name)) appears twice")
      }
      guard Int(message.buffer) < buffers.count else {
        throw .invalidPlan(
          "graph \(role) \(MessageText.quoted(message.name)) is bound to buffer \(message.buffer); the plan has \(buffers.count)")
      }
      let buffer = buffers[Int(message.buffer)]
      guard buffer.packing == nil else {
        throw .invalidPlan("graph \(role) \(MessageText.quoted(message.name)) is bound to a packed constant (\(buffer.label))")
      }
      guard !buffer.isChannelsLast else {
        throw .invalidPlan("graph \(role) \(MessageText.quoted(message.name)) is bound to a channels-last buffer (\(buffer.label))")
      }
      result.append(Program.Binding(name: message.name, buffer: buffer))
    }
    return result
  }

  /// Inputs are copied into (or read in place of) their arena bytes, so they must be distinct arena ranges.
  private static func checkInputs(_ inputs: [Program.Binding]) throws(RuntimeError) {
    var ranges: [(range: Range<Int>, name: String)] = []
    for input in inputs {
      guard let range = input.buffer.arenaRange else {
        throw .invalidPlan("graph input \(MessageText.quoted(input.name)) is bound to a constant (\(input.buffer.label))")
      }
      if !range.isEmpty { ranges.append((range, input.name)) }
    }
    ranges.sort { $0.range.lowerBound < $1.range.lowerBound }
    for (previous, next) in zip(ranges, ranges.dropFirst()) where previous.range.overlaps(next.range) {
      throw .invalidPlan("graph inputs \(MessageText.quoted(previous.name)) and \(MessageText.quoted(next.name)) share arena bytes")
    }
  }

  private static func step(
    _ index: Int, _ message: Rescompile_Plan_Step, _ buffers: [PlanBuffer], _ constants: UnsafeRawBufferPointer
  ) throws(RuntimeError) -> Program.Step {
    let site = StepSite(index: index, name: message.name, kernel: message.kernel)
    guard let kernel = KernelID(rawValue: message.kernel) else {
      throw .invalidPlan("\(site): unknown kernel \(MessageText.quoted(message.kernel)) (this runtime does not have it)")
    }
    let inputs = try resolve(message.inputs, "input", site, buffers)
    let outputs = try resolve(message.outputs, "output", site, buffers)
    for output in outputs where output.isConstant {
      throw .invalidPlan("\(site): writes \(output.label), which is a constant")
    }
    try checkOverlaps(inputs: inputs, outputs: outputs, kernel: kernel, site)
    for (position, input) in inputs.enumerated() where input.packing != nil {
      guard OperatorFactory.readsPanels(kernel, input: position) else {
        throw .invalidPlan("\(site): input \(position) (\(input.label)) is packed, but this operand is read unpacked")
      }
    }
    let operands = StepOperands(site: site, inputs: inputs, outputs: outputs, constants: constants)
    let operation = try OperatorFactory.make(kernel, message.params, operands)
    try ChannelsLastOperands.check(kernel, operands, operation)
    return Program.Step(
      site: site, kernel: kernel, inputs: inputs, outputs: outputs, operation: operation,
      hasWork: outputs.contains { $0.count > 0 })
  }

  /// Operand lists longer than any kernel takes are rejected before anything else looks at them.
  static let maximumOperands = 16

  private static func resolve(
    _ indices: [UInt32], _ role: String, _ site: StepSite, _ buffers: [PlanBuffer]
  ) throws(RuntimeError) -> [PlanBuffer] {
    guard indices.count <= maximumOperands else {
      throw .invalidPlan("\(site): has \(indices.count) \(role)s; no kernel takes more than \(maximumOperands)")
    }
    var result: [PlanBuffer] = []
    for index in indices {
      guard Int(index) < buffers.count else {
        throw .invalidPlan("\(site): \(role) buffer \(index) does not exist (the plan has \(buffers.count))")
      }
      result.append(buffers[Int(index)])
    }
    return result
  }

  /// Outputs may not share bytes with each other, nor with inputs, except an in-place elementwise output
  /// that covers exactly an input's bytes with the same element count.
  private static func checkOverlaps(
    inputs: [PlanBuffer], outputs: [PlanBuffer], kernel: KernelID, _ site: StepSite
  ) throws(RuntimeError) {
    for (position, output) in outputs.enumerated() {
      guard let range = output.arenaRange, !range.isEmpty else { continue }
      for other in outputs[(position + 1)...] {
        if let otherRange = other.arenaRange, range.overlaps(otherRange) {
          throw .invalidPlan("\(site): outputs \(output.label) and \(other.label) share arena bytes")
        }
      }
      for input in inputs {
        guard let inputRange = input.arenaRange, range.overlaps(inputRange) else { continue }
        let inPlace =
          OperatorFactory.allowsInPlace(kernel) && inputRange == range && input.count == output.count
        if !inPlace {
          throw .invalidPlan("\(site): output \(output.label) overlaps input \(input.label)")
        }
      }
    }
  }

  private static func roundUpToLine(_ bytes: Int) throws(RuntimeError) -> Int {
    let line = AlignedMemory.alignment
    return try CheckedMath.add(bytes, line - 1, "scratch size") / line * line
  }
}
