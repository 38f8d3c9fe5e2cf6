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

  /// The buffer itself: a plan compiled in memory gets its weights packed straight into it.
  public func writableBytes(at offset: Int, count: Int) -> UnsafeMutableRawBufferPointer? {
    precondition(offset >= 0 && count >= 0 && offset + count <= buffer.count, "a plan range past the end of its buffer")
    return UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<(offset + count)])
  }
}
