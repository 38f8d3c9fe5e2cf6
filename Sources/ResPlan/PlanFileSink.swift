/// Where `PlanFile.write` puts a plan file's bytes: ranges at file offsets, each written once, in no
/// particular order (the header, which holds the checksums, comes last).
///
/// The destination already has the file's full length and reads as zero wherever nothing is written: a new
/// file truncated to that length, or a zeroed buffer. So the padding between sections and between constants is
/// never written at all. A file lets the compiler stream a 100 MB constant section straight from the model's
/// weights to disk, without assembling the plan in memory first.
///
/// Two optional abilities let the writer fill the constant section on several threads:
/// - a destination in memory lends a range of its bytes (`writableBytes(at:count:)`), and weights are packed
///   straight into it;
/// - a file accepts positioned writes from several threads at once (`acceptsConcurrentWrites`) and shows what
///   was written (`writtenBytes(at:count:)`), so the section can be checksummed behind the threads as their
///   writes return.
public protocol PlanFileSink: AnyObject, SendableMetatype {
  associatedtype Failure: Error
  /// Writes `bytes` at `offset`. When `acceptsConcurrentWrites`, callers on several threads may write disjoint
  /// ranges at once.
  func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(Failure)
  /// The destination's bytes `offset ..< offset + count` as memory to fill in place (reading as zero until
  /// written, valid while the sink is being written to), or nil when the destination does not lend them:
  /// the writer then uses `write(_:at:)`.
  func writableBytes(at offset: Int, count: Int) -> UnsafeMutableRawBufferPointer?
  /// Whether `write(_:at:)` may be called from several threads at once for disjoint ranges.
  var acceptsConcurrentWrites: Bool { get }
  /// The destination's bytes `offset ..< offset + count` as they stand, read-only (each `write(_:at:)` shows in
  /// them once it has returned; valid while the sink is being written to), or nil when the destination cannot
  /// show them.
  func writtenBytes(at offset: Int, count: Int) -> UnsafeRawBufferPointer?
}

extension PlanFileSink {
  public func writableBytes(at offset: Int, count: Int) -> UnsafeMutableRawBufferPointer? { nil }
  public var acceptsConcurrentWrites: Bool { false }
  public func writtenBytes(at offset: Int, count: Int) -> UnsafeRawBufferPointer? { nil }
}
