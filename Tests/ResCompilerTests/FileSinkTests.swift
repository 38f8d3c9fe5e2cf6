import Dispatch
import Foundation
import Synchronization
import Testing

@testable import ResCompiler

/// `AtomicFile.replace` with a `FileSink`: positioned writes from two threads at once land in the file, the
/// sink shows them through its read-only mapping, and nothing past the file's length is shown.
@Suite struct FileSinkTests {
  @Test func writesFromTwoThreadsLandAndShowInTheWrittenBytes() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rescompile-sink-\(UUID())").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let path = "\(folder)/out.bin"
    let length = 3 * 65536
    let expected = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
    var shown: [UInt8]?
    var shownPastTheEnd = true
    try AtomicFile.replace(path, length: length) { (sink) throws(FileWriteError) in
      #expect(sink.acceptsConcurrentWrites)
      let half = length / 2
      let failures = Mutex<[FileWriteError]>([])
      let shared = UncheckedSink(sink: sink)
      DispatchQueue.concurrentPerform(iterations: 2) { worker in
        let range = worker == 0 ? 0..<half : half..<length
        expected[range].withUnsafeBytes { bytes in
          do throws(FileWriteError) {
            try shared.sink.write(bytes, at: range.lowerBound)
          } catch { failures.withLock { $0.append(error) } }
        }
      }
      if let failure = failures.withLock({ $0.first }) { throw failure }
      shown = sink.writtenBytes(at: 0, count: length).map { Array($0) }
      shownPastTheEnd = sink.writtenBytes(at: length - 10, count: 11) != nil
    }
    #expect(try #require(FileManager.default.contents(atPath: path)).elementsEqual(expected))
    if let shown { #expect(shown == expected) }
    #expect(!shownPastTheEnd)
    #if os(Linux)
      #expect(shown != nil)
    #endif
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["out.bin"])
  }

  @Test func bytesNoWriteTouchedReadAsZero() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("rescompile-sink-\(UUID())").path
    defer { unlink(path) }
    try AtomicFile.replace(path, length: 8192) { (sink) throws(FileWriteError) in
      try [UInt8]([9, 8]).withUnsafeBytes { raw in
        Result { () throws(FileWriteError) in try sink.write(raw, at: 5000) }
      }.get()
      if let shown = sink.writtenBytes(at: 4999, count: 4) { #expect(Array(shown) == [0, 9, 8, 0]) }
    }
    var expected = [UInt8](repeating: 0, count: 8192)
    expected[5000] = 9
    expected[5001] = 8
    #expect(try #require(FileManager.default.contents(atPath: path)).elementsEqual(expected))
  }
}

/// The sink, handed to both writing threads (`FileSink` is safe to write from several threads at once).
private struct UncheckedSink: @unchecked Sendable {
  let sink: FileSink
}
