/// Where `PlanFile.write` puts a plan file's bytes: ranges at file offsets, each written once, in no
/// particular order (the header, which holds the checksums, comes last).
///
/// The destination already has the file's full length and reads as zero wherever nothing is written: a new
/// file truncated to that length, or a zeroed buffer. So the padding between sections and between constants is
/// never written at all. A file lets the compiler stream a 100 MB constant section straight from the model's
/// weights to disk, without assembling the plan in memory first.
///
/// A destination may also lend a range of its bytes as memory (`writableBytes(at:count:)`), so that a writer
/// can compute large contents straight into it instead of into a buffer it then writes out.
public protocol PlanFileSink: AnyObject {
  associatedtype Failure: Error
  func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(Failure)
  /// The destination's bytes `offset ..< offset + count` as memory to fill in place (reading as zero until
  /// written, valid while the sink is being written to), or nil when the destination does not lend them:
  /// the writer then uses `write(_:at:)`.
  func writableBytes(at offset: Int, count: Int) -> UnsafeMutableRawBufferPointer?
}

extension PlanFileSink {
  public func writableBytes(at offset: Int, count: Int) -> UnsafeMutableRawBufferPointer? { nil }
}
