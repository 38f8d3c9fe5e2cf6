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
