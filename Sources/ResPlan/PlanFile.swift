/// The container of a plan: header, metadata section, constant section (schemas/PLAN-FORMAT.md).
///
/// The writer lays the sections out; the reader finds them again and checks that they lie inside the file,
/// do not overlap the header, and match their checksums. What is *inside* the metadata is checked by the
/// runtime when it builds its operators.
public enum PlanFile {
  /// The bytes of a plan file whose metadata section is `metadata` (a serialized `Rescompile_Plan_PlanMetadata`)
  /// and whose constant section is `constants` (already laid out with 64-byte aligned entries).
  public static func assemble(
    metadata: [UInt8], constants: [UInt8], producer: String, requiredFeatures: CPUFeatures
  ) -> [UInt8] {
    assemble(
      metadata: metadata, constantsLength: constants.count, producer: producer, requiredFeatures: requiredFeatures
    ) { destination in
      constants.withUnsafeBytes { source in destination.copyMemory(from: source) }
    }
  }

  /// The bytes of a plan file whose constant section of `constantsLength` bytes `writeConstants` writes in
  /// place (every byte of the buffer it is given): the section goes straight into the file, never through a
  /// second copy of a model's weights.
  public static func assemble(
    metadata: [UInt8], constantsLength: Int, producer: String, requiredFeatures: CPUFeatures,
    writeConstants: (UnsafeMutableRawBufferPointer) -> Void
  ) -> [UInt8] {
    let metadataOffset = PlanHeader.size
    let constantsOffset = roundUp(metadataOffset + metadata.count, to: PlanHeader.constantAlignment)
    let total = constantsOffset + constantsLength
    var constantsChecksum: UInt64 = 0
    var file = [UInt8](unsafeUninitializedCapacity: total) { storage, initialized in
      let raw = UnsafeMutableRawBufferPointer(storage)
      let metadataEnd = metadataOffset + metadata.count
      UnsafeMutableRawBufferPointer(rebasing: raw[0..<metadataOffset]).initializeMemory(as: UInt8.self, repeating: 0)
      metadata.withUnsafeBytes { source in
        UnsafeMutableRawBufferPointer(rebasing: raw[metadataOffset..<metadataEnd]).copyMemory(from: source)
      }
      UnsafeMutableRawBufferPointer(rebasing: raw[metadataEnd..<constantsOffset])
        .initializeMemory(as: UInt8.self, repeating: 0)
      let constants = UnsafeMutableRawBufferPointer(rebasing: raw[constantsOffset..<total])
      writeConstants(constants)
      constantsChecksum = PlanChecksum.of(UnsafeRawBufferPointer(constants))
      initialized = total
    }
    let header = PlanHeader(
      producer: producer, requiredFeatures: requiredFeatures,
      metadataOffset: UInt64(metadataOffset), metadataLength: UInt64(metadata.count),
      constantsOffset: UInt64(constantsOffset), constantsLength: UInt64(constantsLength),
      metadataChecksum: PlanChecksum.of(metadata), constantsChecksum: constantsChecksum)
    file.replaceSubrange(0..<PlanHeader.size, with: header.serialized())
    return file
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
