import Foundation

/// Folders the command line writes into (`run --outputs DIR`, `--dump-dir DIR`): made on first use, with their
/// parents, as `mkdir -p` would, so a run is not refused for a folder the user expected it to create.
package enum Folder {
  /// Creates `path` and any missing parents; nothing happens when it is already a folder.
  package static func create(_ path: String) throws(FileWriteError) {
    do {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      throw FileWriteError(description: "cannot create the folder \(path): \(error.localizedDescription)")
    }
  }
}
