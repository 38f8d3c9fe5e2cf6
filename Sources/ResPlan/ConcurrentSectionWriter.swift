/// A plan's constant section that several threads write at once, each a disjoint range through positioned
/// writes, and that shows each write once it has returned (`written`), so the writer can checksum the section
/// behind them (`PlanConstantWriter.concurrentSection()`).
///
/// Why: the compiler packs ResNet-50's 159 MB of weights on two threads. A plan file written with `pwrite` from
/// small per-thread buffers costs the kernel one copy into fresh page-cache pages; the same file filled through
/// a shared writable mapping also costs a page fault and a zero fill per page (the file system has to show the
/// page's old contents, zeros, before the first store), which made the mapped fill 15–25 ms slower.
public struct ConcurrentSectionWriter<Sink: PlanFileSink>: @unchecked Sendable {
  private let sink: Sink
  /// Where the section starts in the file.
  private let sectionOffset: Int
  /// The section's bytes as they stand in the destination: complete once every write has returned.
  public let written: UnsafeRawBufferPointer

  init(sink: Sink, sectionOffset: Int, written: UnsafeRawBufferPointer) {
    precondition(sink.acceptsConcurrentWrites, "a section written from several threads needs a sink that allows it")
    self.sink = sink
    self.sectionOffset = sectionOffset
    self.written = written
  }

  /// The section's length in bytes.
  public var length: Int { written.count }

  /// Writes `bytes` at `offset` in the section, from any thread; ranges written at once must not overlap.
  public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(Sink.Failure) {
    precondition(offset >= 0 && offset <= length - bytes.count, "a constant payload outside its section")
    try sink.write(bytes, at: sectionOffset + offset)
  }
}
