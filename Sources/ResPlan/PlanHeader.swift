/// The fixed 128-byte header at the start of every plan file (schemas/PLAN-FORMAT.md has the table).
///
/// It holds what a loader must know before trusting anything else: that this is a plan, which format
/// version, which compiler wrote it, which CPU features its kernels assume, where the two sections are, and
/// a checksum of each section and of the header itself.
public struct PlanHeader: Sendable, Hashable {
  public static let magic: [UInt8] = Array("RESPLAN\0".utf8)
  public static let size = 128
  /// 2: MatMul steps may read and write their operands through axis permutations (`MatMulParams` perms), which
  /// a version-1 reader would ignore and, where the permuted axes have equal sizes, compute wrongly.
  /// 3: buffers may be channels-last (`Buffer.layout`), which a version-2 reader would read as row-major.
  /// 4: a `cast` may round f32 through float16 (`CastParams.round_to_float16`), which a version-3 reader would
  /// copy unrounded.
  /// 5: F(4×4) Winograd weights are `G g Gᵀ` at the points 0, 1, −1, ½, −2, ∞ (`WinogradFilter`), which a
  /// version-4 reader would transform back at 0, ±1, ±2, ∞: wrong outputs.
  public static let currentFormatVersion: UInt32 = 5
  /// Constant sections start, and every constant inside starts, at a multiple of this: one cache line, and
  /// enough for any vector load.
  public static let constantAlignment = 64
  static let producerFieldSize = 32

  public var formatVersion: UInt32
  /// `rescompile 0.1.0`, at most 32 UTF-8 bytes.
  public var producer: String
  public var requiredFeatures: CPUFeatures
  public var metadataOffset: UInt64
  public var metadataLength: UInt64
  public var constantsOffset: UInt64
  public var constantsLength: UInt64
  public var metadataChecksum: UInt64
  public var constantsChecksum: UInt64

  public init(
    formatVersion: UInt32 = PlanHeader.currentFormatVersion, producer: String, requiredFeatures: CPUFeatures,
    metadataOffset: UInt64, metadataLength: UInt64, constantsOffset: UInt64, constantsLength: UInt64,
    metadataChecksum: UInt64, constantsChecksum: UInt64
  ) {
    self.formatVersion = formatVersion
    self.producer = producer
    self.requiredFeatures = requiredFeatures
    self.metadataOffset = metadataOffset
    self.metadataLength = metadataLength
    self.constantsOffset = constantsOffset
    self.constantsLength = constantsLength
    self.metadataChecksum = metadataChecksum
    self.constantsChecksum = constantsChecksum
  }

  // MARK: - Field offsets (little-endian)

  private enum Offset {
    static let magic = 0
    static let formatVersion = 8
    static let headerSize = 12
    static let producer = 16
    static let requiredFeatures = 48
    static let metadataOffset = 56
    static let metadataLength = 64
    static let constantsOffset = 72
    static let constantsLength = 80
    static let metadataChecksum = 88
    static let constantsChecksum = 96
    static let headerChecksum = 104
    static let reserved = 112
  }

  /// The header's 128 bytes.
  public func serialized() -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: PlanHeader.size)
    bytes.replaceSubrange(0..<8, with: PlanHeader.magic)
    put(formatVersion, at: Offset.formatVersion, in: &bytes)
    put(UInt32(PlanHeader.size), at: Offset.headerSize, in: &bytes)
    let name = Array(producer.utf8.prefix(PlanHeader.producerFieldSize))
    bytes.replaceSubrange(Offset.producer..<(Offset.producer + name.count), with: name)
    put(requiredFeatures.rawValue, at: Offset.requiredFeatures, in: &bytes)
    put(metadataOffset, at: Offset.metadataOffset, in: &bytes)
    put(metadataLength, at: Offset.metadataLength, in: &bytes)
    put(constantsOffset, at: Offset.constantsOffset, in: &bytes)
    put(constantsLength, at: Offset.constantsLength, in: &bytes)
    put(metadataChecksum, at: Offset.metadataChecksum, in: &bytes)
    put(constantsChecksum, at: Offset.constantsChecksum, in: &bytes)
    let checksum = bytes.withUnsafeBytes { PlanChecksum.of(UnsafeRawBufferPointer(rebasing: $0[0..<Offset.headerChecksum])) }
    put(checksum, at: Offset.headerChecksum, in: &bytes)
    return bytes
  }

  /// Reads and checks a header: magic, version, size field and the header's own checksum. Section ranges are
  /// checked against the file by `PlanFile`.
  public init(parsing file: UnsafeRawBufferPointer) throws(PlanError) {
    guard file.count >= PlanHeader.size else {
      throw PlanError("not a plan: \(file.count) bytes is shorter than the \(PlanHeader.size)-byte header")
    }
    guard Array(file[0..<8]) == PlanHeader.magic else { throw PlanError("not a plan: the file does not start with RESPLAN") }
    let header = UnsafeRawBufferPointer(rebasing: file[0..<PlanHeader.size])
    let stored: UInt64 = PlanHeader.get(header, Offset.headerChecksum)
    let computed = PlanChecksum.of(UnsafeRawBufferPointer(rebasing: header[0..<Offset.headerChecksum]))
    guard stored == computed else { throw PlanError("corrupt plan: the header checksum does not match") }
    formatVersion = PlanHeader.get(header, Offset.formatVersion)
    guard formatVersion == PlanHeader.currentFormatVersion else {
      throw PlanError(
        "plan format version \(formatVersion) is not supported (this runtime reads version \(PlanHeader.currentFormatVersion)); recompile the model")
    }
    let size: UInt32 = PlanHeader.get(header, Offset.headerSize)
    guard size == UInt32(PlanHeader.size) else { throw PlanError("corrupt plan: header size field is \(size)") }
    // The checksum covers bytes 0..<104; the reserved bytes after it must be zero, so no byte of the header
    // can change without the reader noticing.
    guard header[Offset.reserved..<PlanHeader.size].allSatisfy({ $0 == 0 }) else {
      throw PlanError("corrupt plan: the reserved header bytes are not zero")
    }
    let nameBytes = header[Offset.producer..<(Offset.producer + PlanHeader.producerFieldSize)].prefix { $0 != 0 }
    producer = String(decoding: nameBytes, as: UTF8.self)
    requiredFeatures = CPUFeatures(rawValue: PlanHeader.get(header, Offset.requiredFeatures))
    metadataOffset = PlanHeader.get(header, Offset.metadataOffset)
    metadataLength = PlanHeader.get(header, Offset.metadataLength)
    constantsOffset = PlanHeader.get(header, Offset.constantsOffset)
    constantsLength = PlanHeader.get(header, Offset.constantsLength)
    metadataChecksum = PlanHeader.get(header, Offset.metadataChecksum)
    constantsChecksum = PlanHeader.get(header, Offset.constantsChecksum)
  }

  private func put<T: FixedWidthInteger>(_ value: T, at offset: Int, in bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset..<(offset + $0.count), with: $0) }
  }

  private static func get<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> T {
    T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
  }
}
