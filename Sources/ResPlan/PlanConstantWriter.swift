/// Writes the constant section of a plan into a `PlanFileSink`, payload by payload in increasing offsets,
/// and checksums it on the way: the gaps between payloads are zeros the sink already holds.
public struct PlanConstantWriter<Sink: PlanFileSink> {
  private let sink: Sink
  /// Where the section starts in the file.
  private let sectionOffset: Int
  /// The section's length: the last payload may end before it (the rest is zeros).
  private let length: Int
  /// Section bytes accounted for so far: payloads written, and the zeros before them.
  private var position = 0
  private var checksum: PlanChecksum.Accumulator

  init(sink: Sink, sectionOffset: Int, length: Int) {
    self.sink = sink
    self.sectionOffset = sectionOffset
    self.length = length
    checksum = PlanChecksum.Accumulator(length: length)
  }

  /// Writes `bytes` at `offset` in the section: no lower than the end of the previous write, inside the
  /// section.
  public mutating func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(Sink.Failure) {
    precondition(offset >= position && offset + bytes.count <= length, "constant payloads out of order or too long")
    checksum.addZeros(offset - position)
    checksum.add(bytes)
    try sink.write(bytes, at: sectionOffset + offset)
    position = offset + bytes.count
  }

  /// The section's checksum, counting the zeros after the last payload.
  mutating func finish() -> UInt64 {
    checksum.addZeros(length - position)
    position = length
    return checksum.finish()
  }
}
