import ResPlan

/// A compiled plan: the contents of a `.resplan` file, ready to be written, and what they contain.
///
/// The file is not held as bytes: its constants stay where the graph keeps them (mostly the mapped model
/// file) until `write(to:)` streams them, packed, into the destination.
public struct GeneratedPlan: Sendable {
  public let summary: PlanSummary
  /// The metadata section as encoded in the file.
  package let metadata: Rescompile_Plan_PlanMetadata
  /// The memory planner's input and result, for checking the arena invariant.
  package let arena: ArenaLayout
  /// Which Concat operands are computed in place and which are copied, and why.
  package let concats: ConcatReport
  let encodedMetadata: [UInt8]
  let constants: ConstantSection
  let producer: String

  /// Where the file's sections go.
  public var layout: PlanFile.Layout {
    PlanFile.Layout(metadataLength: encodedMetadata.count, constantsLength: constants.length)
  }

  /// Writes the plan file (schemas/PLAN-FORMAT.md) into `sink`, which holds `layout.fileLength` zero bytes.
  public func write<Sink: PlanFileSink>(to sink: Sink) throws(Sink.Failure) {
    try PlanFile.write(
      metadata: encodedMetadata, layout: layout, producer: producer, requiredFeatures: [], to: sink
    ) { (writer) throws(Sink.Failure) in
      try constants.write(to: &writer)
    }
  }

  /// The whole plan file, assembled in memory on each call: for loading a plan without a file (`Plan(bytes:)`)
  /// and for comparing plans; `write(to:)` puts it in a file without this copy.
  public var bytes: [UInt8] {
    let length = layout.fileLength
    return [UInt8](unsafeUninitializedCapacity: length) { storage, initialized in
      let buffer = UnsafeMutableRawBufferPointer(storage)
      buffer.initializeMemory(as: UInt8.self, repeating: 0)
      write(to: PlanBufferSink(buffer))
      initialized = length
    }
  }

  /// A text listing of the plan: bindings, buffers with their storage, steps with their parameters, and what
  /// became of each Concat operand (`rescompile MODEL.onnx --dump plan`).
  public func listing() -> String {
    PlanListing.render(metadata, concats: concats)
  }
}
