import ResIR
import ResPlan

/// Writes the lowered plan as a plan file: keeps the tensors that steps and bindings use (as buffers, in
/// creation order), places arena regions with the memory planner and payloads in the constant section, and
/// encodes the metadata. Everything is in array order, so the same graph always gives the same bytes.
enum PlanEmitter {
  static func emit(
    _ lowered: LoweredPlan, concats: ConcatReport, from prepared: StaticGraph, sourceNodeCount: Int,
    options: CodegenOptions
  ) throws(ModelError) -> GeneratedPlan {
    let builder = lowered.builder
    let buffers = BufferNumbering(lowered)
    let arena = ArenaLayout(lowered)
    var constants = ConstantSection()
    var payloadOffsets = [Int?](repeating: nil, count: builder.payloads.count)
    var encodedBuffers: [Rescompile_Plan_Buffer] = []
    for tensorID in buffers.tensors {
      let tensor = builder[tensorID]
      var buffer = Rescompile_Plan_Buffer()
      buffer.name = tensor.name
      buffer.dtype = tensor.dtype.planDataType
      buffer.shape = tensor.dims.map(Int64.init)
      if tensor.isChannelsLast { buffer.layout = .channelsLast }
      switch tensor.storage {
      case .arena(let region):
        buffer.arenaOffset = UInt64(arena.offset(ofRegion: region))
      case .constant(let payload):
        let offset = payloadOffsets[payload] ?? constants.place(builder.payloads[payload])
        payloadOffsets[payload] = offset
        buffer.constantOffset = UInt64(offset)
        if let packing = builder.payloads[payload].layout.packing { buffer.packing = packing.message }
      }
      encodedBuffers.append(buffer)
    }

    var metadata = Rescompile_Plan_PlanMetadata()
    metadata.producer = options.producer
    metadata.modelName = prepared.graph.name
    metadata.sourceFingerprint = options.sourceFingerprint
    metadata.compileOptions = options.compileOptions
    metadata.inputs = lowered.inputs.map { binding($0, buffers) }
    metadata.outputs = lowered.outputs.map { binding($0, buffers) }
    metadata.buffers = encodedBuffers
    metadata.steps = builder.steps.map { step($0, buffers) }
    metadata.arenaBytes = UInt64(arena.plan.arenaBytes)
    metadata.naiveArenaBytes = UInt64(arena.naiveBytes)
    metadata.sourceNodeCount = UInt32(clamping: sourceNodeCount)
    metadata.concatCopiedBytes = UInt64(concats.copiedBytes)
    metadata.concatAliasedBytes = UInt64(concats.aliasedBytes)

    let encodedMetadata = try Self.serialized(metadata)
    let layout = PlanFile.Layout(metadataLength: encodedMetadata.count, constantsLength: constants.length)
    let summary = PlanSummary(
      sourceNodeCount: sourceNodeCount, foldedNodeCount: prepared.foldedNodeCount, steps: builder.steps,
      bufferCount: encodedBuffers.count, constantBytes: constants.length,
      constantCount: payloadOffsets.compactMap { $0 }.count - constants.deduplicatedCount,
      arenaBytes: arena.plan.arenaBytes, naiveArenaBytes: arena.naiveBytes,
      inPlaceOutputCount: arena.inPlaceOutputCount,
      concatCopiedBytes: concats.copiedBytes, concatAliasedBytes: concats.aliasedBytes, fileBytes: layout.fileLength)
    return GeneratedPlan(
      summary: summary, metadata: metadata, arena: arena, concats: concats, encodedMetadata: encodedMetadata,
      constants: constants, producer: options.producer)
  }

  private static func binding(_ binding: LoweredPlan.Binding, _ buffers: BufferNumbering)
    -> Rescompile_Plan_TensorBinding
  {
    var encoded = Rescompile_Plan_TensorBinding()
    encoded.name = binding.name
    encoded.buffer = buffers.index(of: binding.tensor)
    return encoded
  }

  private static func step(_ step: PlanStep, _ buffers: BufferNumbering) -> Rescompile_Plan_Step {
    var encoded = Rescompile_Plan_Step()
    encoded.name = step.name
    encoded.kernel = step.kernel.rawValue
    encoded.inputs = step.inputs.map(buffers.index(of:))
    encoded.outputs = step.outputs.map(buffers.index(of:))
    encoded.params = step.params
    return encoded
  }

  /// Protobuf encoding of messages without map fields is deterministic: fields in number order.
  private static func serialized(_ metadata: Rescompile_Plan_PlanMetadata) throws(ModelError) -> [UInt8] {
    do {
      return try metadata.serializedBytes()
    } catch {
      throw ModelError("the plan metadata cannot be encoded: \(error)")
    }
  }
}

/// Buffer indices: the tensors a step or binding uses, numbered in creation order.
struct BufferNumbering {
  private(set) var tensors: [TensorID] = []
  private var indices: [Int?]

  init(_ lowered: LoweredPlan) {
    var used = [Bool](repeating: false, count: lowered.builder.tensors.count)
    for step in lowered.builder.steps {
      for tensor in step.inputs + step.outputs { used[tensor.index] = true }
    }
    for binding in lowered.inputs + lowered.outputs { used[binding.tensor.index] = true }
    indices = [Int?](repeating: nil, count: used.count)
    for index in used.indices where used[index] {
      indices[index] = tensors.count
      tensors.append(TensorID(index: index))
    }
  }

  /// The buffer index of a used tensor (every tensor a step or binding names is used).
  func index(of tensor: TensorID) -> UInt32 {
    UInt32(indices[tensor.index] ?? 0)
  }
}
