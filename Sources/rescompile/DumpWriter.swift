import ResCompiler

/// Where dumps and reports go: a stream, or, with `--dump-dir`, a file of their own in that folder, written
/// atomically (a reader never sees half a dump). The folder is created with the first file (as `run --outputs`
/// creates its folder), so a model refused before any dump leaves nothing behind. A folder or file that
/// cannot be written ends the run with one error line.
struct DumpWriter {
  var directory: String?

  /// Writes `text` to DIR/`fileName`, or to `stream` when no directory was given.
  func write(_ text: String, fileName: String, otherwise stream: OutputStream) {
    guard let directory else {
      stream.write(text)
      return
    }
    do {
      try Folder.create(directory)
    } catch {
      Diagnostics.fail("\(directory): \(error)")
    }
    let path = "\(directory)/\(fileName)"
    do {
      try AtomicFile.replace(path, with: text)
    } catch {
      Diagnostics.fail("\(path): \(error)")
    }
  }
}
