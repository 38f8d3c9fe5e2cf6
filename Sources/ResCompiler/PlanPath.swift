#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where plans go: next to the model by default, and never over the model itself.
public enum PlanPath {
  /// `model.onnx` → `model.resplan`; a model without the `.onnx` extension gets `.resplan` appended, so the
  /// default can never be the model.
  public static func defaultPath(forModel model: String) -> String {
    let suffix = ".onnx"
    if model.hasSuffix(suffix), model.count > suffix.count, !model.hasSuffix("/" + suffix) {
      return String(model.dropLast(suffix.count)) + ".resplan"
    }
    return model + ".resplan"
  }

  /// Whether `path` names the same file as `other` (through links and different spellings): both exist and
  /// have the same device and inode.
  public static func isSameFile(_ path: String, as other: String) -> Bool {
    var first = stat()
    var second = stat()
    guard stat(path, &first) == 0, stat(other, &second) == 0 else { return false }
    return first.st_dev == second.st_dev && first.st_ino == second.st_ino
  }
}
