/// Where `PlanFile.write` puts a plan file's bytes: ranges at file offsets, each written once, in no
/// particular order (the header, which holds the checksums, comes last).
///
/// The destination already has the file's full length and reads as zero wherever nothing is written: a new
/// file truncated to that length, or a zeroed buffer. So the padding between sections and between constants is
/// never written at all. A file lets the compiler stream a 100 MB constant section straight from the model's
/// weights to disk, without assembling the plan in memory first.
public protocol PlanFileSink: AnyObject {
  associatedtype Failure: Error
  func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(Failure)
}

/// A plan file in memory: `PlanFile.write` into a zeroed buffer the caller owns.
public final class PlanBufferSink: PlanFileSink {
  public typealias Failure = Never
  private let buffer: UnsafeMutableRawBufferPointer

  /// `buffer` must be zeroed and as long as the file; it must stay valid while the sink is written to.
  public init(_ buffer: UnsafeMutableRawBufferPointer) {
    self.buffer = buffer
  }

  public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
    precondition(offset >= 0 && offset + bytes.count <= buffer.count, "a plan write past the end of its buffer")
    UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<(offset + bytes.count)]).copyMemory(from: bytes)
  }
}
