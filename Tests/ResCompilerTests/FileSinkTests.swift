import Foundation
import Testing

@testable import ResCompiler

/// `AtomicFile.replace` with a `FileSink`: a file whose blocks were reserved lends its bytes as memory
/// (on Linux, where the blocks are reserved with `posix_fallocate`), positioned writes and stores through the
/// mapping land in the same file, and nothing past its length is lent.
@Suite struct FileSinkTests {
  @Test func aReservedFileLendsItsBytesBesidePositionedWrites() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rescompile-sink-\(UUID())").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let path = "\(folder)/out.bin"
    var lent = false
    var lentPastTheEnd = true
    try AtomicFile.replace(path, length: 8192) { (sink) throws(FileWriteError) in
      if let bytes = sink.writableBytes(at: 100, count: 3) {
        bytes.copyBytes(from: [1, 2, 3] as [UInt8])
        lent = true
      }
      lentPastTheEnd = sink.writableBytes(at: 8000, count: 193) != nil
      try [UInt8]([9, 8]).withUnsafeBytes { raw in
        Result { () throws(FileWriteError) in try sink.write(raw, at: 5000) }
      }.get()
    }
    let contents = try #require(FileManager.default.contents(atPath: path)).map { $0 }
    var expected = [UInt8](repeating: 0, count: 8192)
    expected[5000] = 9
    expected[5001] = 8
    if lent { expected.replaceSubrange(100..<103, with: [1, 2, 3]) }
    #expect(contents == expected)
    #expect(!lentPastTheEnd)
    #if os(Linux)
      #expect(lent)
    #endif
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["out.bin"])
  }

  @Test func aFileWithoutReservedBlocksLendsNothing() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("rescompile-sink-\(UUID())").path
    let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL, 0o644)
    try #require(descriptor >= 0)
    defer {
      close(descriptor)
      unlink(path)
    }
    #expect(ftruncate(descriptor, 4096) == 0)
    let sink = FileSink(descriptor: descriptor, path: path)
    #expect(sink.writableBytes(at: 0, count: 16) == nil)
  }
}
