import Dispatch
import Foundation
import ResIR
import ResPlan

/// The fingerprint of a model file's bytes, recorded in its plans so a plan can be traced to its source,
/// computed on another thread from the moment the model is loaded.
///
/// Hashing ResNet-50's 100 MB takes ~20 ms that the optimizer and code generator, one thread each, leave a
/// second core for; the compile only waits if it gets to the plan's metadata first. The hash is
/// `PlanChecksum`'s four-lane one (a quarter of `Fingerprint`'s time, which mixes one word after another):
/// it only has to tell files apart.
final class FileFingerprint: @unchecked Sendable {
  private let done = DispatchSemaphore(value: 0)
  /// Written once by the hashing thread before `done` is signalled, read only after waiting for it.
  private var result: Result<String, ModelError> = .success("")

  /// Starts hashing the file at `path`.
  init(path: String) {
    DispatchQueue.global().async {
      self.result = Self.compute(path)
      self.done.signal()
    }
  }

  /// Sixteen hex digits, once the hash is done.
  func value() throws(ModelError) -> String {
    done.wait()
    done.signal()
    return try result.get()
  }

  private static func compute(_ path: String) -> Result<String, ModelError> {
    do {
      let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
      return .success(Fingerprint.hex(data.withUnsafeBytes { PlanChecksum.of($0) }))
    } catch {
      return .failure(ModelError("cannot read the model again to fingerprint it: \(error.localizedDescription)"))
    }
  }
}
