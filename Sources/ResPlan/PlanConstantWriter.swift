/// Writes the constant section of a plan into a `PlanFileSink`, payload by payload in increasing offsets,
/// and checksums it on the way: the gaps between payloads are zeros the sink already holds.
///
/// A caller with a second thread may instead fill the whole section at once, in any order, where the sink
/// allows it: packed straight into memory the sink lends (`sectionInPlace()`) or written from several threads
/// (`concurrentSection()`); it then reports the section's checksum (`sectionFilled(checksum:)`). The plan
/// writer does, so that ResNet-50's 160 MB are packed on two threads.
public struct PlanConstantWriter<Sink: PlanFileSink> {
  private let sink: Sink
  /// Where the section starts in the file.
  private let sectionOffset: Int
  /// The section's length: the last payload may end before it (the rest is zeros).
  private let length: Int
  /// Section bytes accounted for so far: payloads written, and the zeros before them.
  private var position = 0
  private var checksum: PlanChecksum.Accumulator
  private var mode = Mode.undecided

  /// How the section is written, decided by the first write: in order here, checksummed on the way, or filled
  /// at once by the caller, who supplies the checksum.
  private enum Mode: Equatable {
    case undecided
    case inOrder
    case filled(checksum: UInt64)
  }

  init(sink: Sink, sectionOffset: Int, length: Int) {
    self.sink = sink
    self.sectionOffset = sectionOffset
    self.length = length
    checksum = PlanChecksum.Accumulator(length: length)
  }

  /// Writes `bytes` at `offset` in the section: no lower than the end of the previous write, inside the
  /// section.
  public mutating func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(Sink.Failure) {
    if case .filled = mode { preconditionFailure("a section is filled at once or written in order, not both") }
    mode = .inOrder
    checksum.addZeros(offset - position)
    checksum.add(bytes)
    try place(bytes, at: offset)
  }

  /// The whole section as memory in the destination (reading as zero), when the sink lends it
  /// (`PlanFileSink.writableBytes`): a writer with payloads to compute (packed weights) computes them straight
  /// into it, then reports the section's checksum with `sectionFilled(checksum:)`. Nil after any write, and
  /// when the sink does not lend its bytes.
  public func sectionInPlace() -> UnsafeMutableRawBufferPointer? {
    guard mode == .undecided, position == 0 else { return nil }
    return sink.writableBytes(at: sectionOffset, count: length)
  }

  /// The section as a destination for writes from several threads at once, when the sink accepts them and
  /// can show the written bytes back for the checksum (a plan file): the writer writes every payload through
  /// it, then reports the section's checksum with `sectionFilled(checksum:)`. Nil after any write, and when the
  /// sink cannot.
  public func concurrentSection() -> ConcurrentSectionWriter<Sink>? {
    guard mode == .undecided, position == 0, sink.acceptsConcurrentWrites,
      let written = sink.writtenBytes(at: sectionOffset, count: length)
    else { return nil }
    return ConcurrentSectionWriter(sink: sink, sectionOffset: sectionOffset, written: written)
  }

  /// Records that the caller filled the whole section through `sectionInPlace()` or `concurrentSection()`,
  /// and its checksum (`PlanChecksum.of` the section's bytes).
  public mutating func sectionFilled(checksum value: UInt64) {
    precondition(mode == .undecided && position == 0, "a section is filled at once or written in order, not both")
    mode = .filled(checksum: value)
    position = length
  }

  private mutating func place(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(Sink.Failure) {
    precondition(offset >= position && offset + bytes.count <= length, "constant payloads out of order or too long")
    try sink.write(bytes, at: sectionOffset + offset)
    position = offset + bytes.count
  }

  /// The section's checksum, counting the zeros after the last payload.
  mutating func finish() -> UInt64 {
    switch mode {
    case .filled(let checksum):
      return checksum
    case .undecided, .inOrder:
      checksum.addZeros(length - position)
      position = length
      return checksum.finish()
    }
  }
}
