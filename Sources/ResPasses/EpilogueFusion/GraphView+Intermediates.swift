import ResIR

extension GraphView {
  /// Why `value` cannot disappear inside a fusion, or nil when it can: a fused chain's intermediate values
  /// stop existing, so none may be a graph output (peer-pitfalls 11) or be read by anything outside the
  /// chain (peer-pitfalls 10). `readers` is how many reads the chain itself makes of it.
  func intermediateDecline(_ value: ValueID, readers: Int = 1) -> String? {
    let name = graph[value].name
    if isGraphOutput(value) { return "'\(name)' is a graph output" }
    let count = useCount(of: value)
    guard count == readers else {
      return "'\(name)' has \(count) readers; fusing needs exactly \(readers)"
    }
    return nil
  }
}
