import ResIR

/// Where `rescompile run --outputs DIR` puts a run's outputs: `output_K.pb` for the K-th output (ONNX's test
/// layout), or `NAME.npy` per output. Each file is written atomically, and nothing is written when any target
/// is one of the run's own input files or two outputs would share a file name.
public struct OutputFolder: Sendable {
  public let path: String
  public let format: TensorFile.Format

  public init(path: String, format: TensorFile.Format) {
    self.path = path
    self.format = format
  }

  /// The file the output at `position` named `name` goes to: `output_K.pb`, or the name made safe for a file
  /// system (every character other than letters, digits, `.`, `_` and `-` becomes `_`) with `.npy`.
  public func fileName(forOutput name: String, position: Int) -> String {
    switch format {
    case .onnx: TestDataSet.outputFileName(position)
    case .npy: OutputFolder.safeFileStem(name) + ".npy"
    }
  }

  /// Writes every output (creating the folder if needed) and returns the paths written, in output order.
  /// `inputs` are the files the run read: none of them is ever replaced.
  public func write(_ outputs: [(name: String, value: Constant)], protecting inputs: [String]) throws(FileWriteError)
    -> [String]
  {
    let targets = outputs.enumerated().map { position, output in
      path + "/" + fileName(forOutput: output.name, position: position)
    }
    try checkTargets(targets, outputs.map(\.name), inputs)
    try Folder.create(path)
    for (target, output) in zip(targets, outputs) {
      try AtomicFile.replace(target, with: TensorFile.serialized(output.value, name: output.name, as: format))
    }
    return targets
  }

  private func checkTargets(_ targets: [String], _ names: [String], _ inputs: [String]) throws(FileWriteError) {
    for (position, target) in targets.enumerated() {
      if let earlier = targets[..<position].firstIndex(of: target) {
        throw FileWriteError(
          description: "outputs '\(names[earlier])' and '\(names[position])' would both be written to \(target)")
      }
      if let input = inputs.first(where: { PlanPath.isSameFile(target, as: $0) }) {
        throw FileWriteError(description: "\(target) is the input file \(input); write the outputs somewhere else")
      }
    }
  }

  private static func safeFileStem(_ name: String) -> String {
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    let stem = String(name.map { allowed.contains($0) ? $0 : "_" })
    // "", "." and ".." are not file names; a leading dot would hide the file.
    return stem.isEmpty || stem.hasPrefix(".") ? "_" + stem : stem
  }
}
