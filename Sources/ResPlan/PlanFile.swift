/// The container of a plan: header, metadata section, constant section (schemas/PLAN-FORMAT.md).
///
/// The writer lays the sections out; the reader finds them again and checks that they lie inside the file,
/// do not overlap the header, and match their checksums. What is *inside* the metadata is checked by the
/// runtime when it builds its operators.
public enum PlanFile {
  /// Where the sections of a plan file go, from the sizes of its metadata and constant sections.
  public struct Layout: Sendable, Hashable {
    public let metadataOffset: Int
    public let metadataLength: Int
    public let constantsOffset: Int
    public let constantsLength: Int

    public init(metadataLength: Int, constantsLength: Int) {
      metadataOffset = PlanHeader.size
      self.metadataLength = metadataLength
      constantsOffset = PlanFile.roundUp(metadataOffset + metadataLength, to: PlanHeader.constantAlignment)
      self.constantsLength = constantsLength
    }

    /// The size of the whole file.
    public var fileLength: Int { constantsOffset + constantsLength }
  }

  /// The bytes of a plan file whose metadata section is `metadata` (a serialized `Rescompile_Plan_PlanMetadata`)
  /// and whose constant section is `constants` (already laid out with 64-byte aligned entries).
  public static func assemble(
    metadata: [UInt8], constants: [UInt8], producer: String, requiredFeatures: CPUFeatures
  ) -> [UInt8] {
    let layout = Layout(metadataLength: metadata.count, constantsLength: constants.count)
    return [UInt8](unsafeUninitializedCapacity: layout.fileLength) { storage, initialized in
      let buffer = UnsafeMutableRawBufferPointer(storage)
      buffer.initializeMemory(as: UInt8.self, repeating: 0)
      write(metadata: metadata, layout: layout, producer: producer, requiredFeatures: requiredFeatures,
        to: PlanBufferSink(buffer)
      ) { writer in
        constants.withUnsafeBytes { writer.write($0, at: 0) }
      }
      initialized = layout.fileLength
    }
  }

  /// Writes a plan file into `sink` (which already has `layout.fileLength` zero bytes): the metadata, then the
  /// constant section, which `writeConstants` writes payload by payload in increasing offsets, then the
  /// header with the checksums. The constants go from wherever they are straight to the sink, so a model's
  /// 100 MB of weights never need a second copy in memory on their way to disk.
  public static func write<Sink: PlanFileSink>(
    metadata: [UInt8], layout: Layout, producer: String, requiredFeatures: CPUFeatures, to sink: Sink,
    writeConstants: (inout PlanConstantWriter<Sink>) throws(Sink.Failure) -> Void
  ) throws(Sink.Failure) {
    precondition(metadata.count == layout.metadataLength, "the metadata is not the length the layout has")
    try write(metadata, at: layout.metadataOffset, to: sink)
    var constants = PlanConstantWriter(sink: sink, sectionOffset: layout.constantsOffset, length: layout.constantsLength)
    try writeConstants(&constants)
    let header = PlanHeader(
      producer: producer, requiredFeatures: requiredFeatures,
      metadataOffset: UInt64(layout.metadataOffset), metadataLength: UInt64(layout.metadataLength),
      constantsOffset: UInt64(layout.constantsOffset), constantsLength: UInt64(layout.constantsLength),
      metadataChecksum: PlanChecksum.of(metadata), constantsChecksum: constants.finish())
    try write(header.serialized(), at: 0, to: sink)
  }

  /// `sink.write` of an array's bytes (`Array.withUnsafeBytes` only rethrows untyped errors).
  private static func write<Sink: PlanFileSink>(_ bytes: [UInt8], at offset: Int, to sink: Sink) throws(Sink.Failure) {
    try bytes.withUnsafeBytes { raw in
      Result { () throws(Sink.Failure) in try sink.write(raw, at: offset) }
    }.get()
  }

  /// The sections of a plan file, each checked against the file's bounds and its checksum.
  public struct Sections: @unchecked Sendable {
    public var header: PlanHeader
    public var metadata: UnsafeRawBufferPointer
    public var constants: UnsafeRawBufferPointer
  }

  /// Finds and checks the sections of `file`. `verifyConstants: false` skips hashing the constant section
  /// (the largest part of a plan) for callers that verified the file once already.
  public static func sections(of file: UnsafeRawBufferPointer, verifyConstants: Bool = true) throws(PlanError)
    -> Sections
  {
    let header = try PlanHeader(parsing: file)
    let metadata = try section(
      "metadata", offset: header.metadataOffset, length: header.metadataLength, in: file)
    let constants = try section(
      "constant", offset: header.constantsOffset, length: header.constantsLength, in: file)
    guard header.constantsOffset % UInt64(PlanHeader.constantAlignment) == 0 else {
      throw PlanError("corrupt plan: the constant section is not \(PlanHeader.constantAlignment)-byte aligned")
    }
    guard header.metadataOffset + header.metadataLength <= header.constantsOffset else {
      throw PlanError("corrupt plan: the metadata and constant sections overlap")
    }
    guard PlanChecksum.of(metadata) == header.metadataChecksum else {
      throw PlanError("corrupt plan: the metadata checksum does not match")
    }
    if verifyConstants, PlanChecksum.of(constants) != header.constantsChecksum {
      throw PlanError("corrupt plan: the constant section checksum does not match")
    }
    return Sections(header: header, metadata: metadata, constants: constants)
  }

  private static func section(_ name: String, offset: UInt64, length: UInt64, in file: UnsafeRawBufferPointer)
    throws(PlanError) -> UnsafeRawBufferPointer
  {
    let (end, overflow) = offset.addingReportingOverflow(length)
    guard !overflow, offset >= UInt64(PlanHeader.size), end <= UInt64(file.count) else {
      throw PlanError(
        "corrupt plan: the \(name) section (offset \(offset), \(length) bytes) does not fit in the \(file.count)-byte file")
    }
    return UnsafeRawBufferPointer(rebasing: file[Int(offset)..<Int(end)])
  }

  static func roundUp(_ value: Int, to alignment: Int) -> Int {
    (value + alignment - 1) / alignment * alignment
  }
}
