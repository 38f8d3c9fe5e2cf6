#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Dispatch
import ResIR
import ResPlan

/// The fingerprint of a model file's bytes, recorded in its plans so a plan can be traced to its source,
/// computed on another thread from the moment the model is loaded.
///
/// Hashing ResNet-50's 100 MB takes ~20 ms that the optimizer and code generator, one thread each, leave a
/// second core for; the compile only waits if it gets to the plan's metadata first. The hash is
/// `PlanChecksum`'s four-lane one (a quarter of `Fingerprint`'s time, which mixes one word after another):
/// it only has to tell files apart. The file is read a megabyte at a time into one buffer that stays in the
/// cache, not mapped: mapping it again (the importer has its own mapping) cost page faults, and unmapping
/// 100 MB of page tables took as long as the hash.
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

  /// Bytes read at a time: large enough that the system calls cost nothing, small enough for the cache.
  private static let chunkSize = 1 << 20

  private static func compute(_ path: String) -> Result<String, ModelError> {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return .failure(failure(errnoText())) }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { return .failure(failure(errnoText())) }
    let length = Int(status.st_size)
    var accumulator = PlanChecksum.Accumulator(length: length)
    let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
    defer { chunk.deallocate() }
    var total = 0
    while total < length {
      let count = read(descriptor, chunk.baseAddress, min(chunkSize, length - total))
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { return .failure(failure(count == 0 ? "the file became shorter" : errnoText())) }
      accumulator.add(UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
      total += count
    }
    return .success(Fingerprint.hex(accumulator.finish()))
  }

  private static func failure(_ reason: String) -> ModelError {
    ModelError("cannot read the model again to fingerprint it: \(reason)")
  }

  private static func errnoText() -> String { String(cString: strerror(errno)) }
}
