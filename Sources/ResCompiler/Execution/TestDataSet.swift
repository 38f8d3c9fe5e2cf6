import Foundation
import ResIR
import ResONNX

/// A folder of ONNX test data, as ONNX's backend tests and rescompile's fixtures store it (`test_data_set_0/`):
/// `input_K.pb` for the K-th graph input and `output_K.pb` for the K-th graph output, each a serialized
/// `TensorProto`. `rescompile run --inputs DIR` reads this layout and `--outputs DIR` writes it; `rescompile
/// check` compares against it.
public struct TestDataSet: Sendable {
  /// The folder, as given.
  public let folder: String
  /// `input_0.pb`, `input_1.pb`, ... up to the first one missing.
  public let inputs: [Constant]
  /// `output_0.pb`, `output_1.pb`, ... up to the first one missing (none in a folder of inputs only).
  public let expectedOutputs: [Constant]

  /// The folder's last path component (`test_data_set_0`): how reports name the set.
  public var name: String { URL(fileURLWithPath: folder).lastPathComponent }

  /// Reads every `input_K.pb` and `output_K.pb` in `folder`. Throws naming the file that cannot be read.
  public init(folder: String) throws(ModelError) {
    guard TestDataSet.isDirectory(folder) else { throw ModelError("'\(folder)' is not a folder of test data") }
    self.folder = folder
    inputs = try TestDataSet.readSeries(in: folder, fileName: TestDataSet.inputFileName)
    expectedOutputs = try TestDataSet.readSeries(in: folder, fileName: TestDataSet.outputFileName)
  }

  public static func inputFileName(_ position: Int) -> String { "input_\(position).pb" }
  public static func outputFileName(_ position: Int) -> String { "output_\(position).pb" }

  /// The inputs by graph input name: `input_K.pb` belongs to the K-th name. Throws when the counts differ.
  public func namedInputs(_ names: [String]) throws(ModelError) -> [String: Constant] {
    guard inputs.count == names.count else {
      throw ModelError(
        "'\(folder)' holds \(inputs.count) input file(s) (input_K.pb), the model has \(names.count) input(s): "
          + names.joined(separator: ", "))
    }
    return Dictionary(uniqueKeysWithValues: zip(names, inputs))
  }

  /// The data sets `rescompile check --data DIR` means: DIR itself when it holds `input_0.pb`, else its
  /// `test_data_set_N` subfolders in numeric order. Throws when there are none.
  public static func sets(in directory: String) throws(ModelError) -> [TestDataSet] {
    if FileManager.default.fileExists(atPath: directory + "/" + inputFileName(0)) {
      return [try TestDataSet(folder: directory)]
    }
    guard isDirectory(directory) else { throw ModelError("'\(directory)' is not a folder") }
    let sets = try numberedSubfolders(of: directory).map { (folder) throws(ModelError) in
      try TestDataSet(folder: folder)
    }
    guard !sets.isEmpty else {
      throw ModelError("'\(directory)' holds neither input_0.pb nor test_data_set_N folders")
    }
    return sets
  }

  /// The `test_data_set_N` folders next to a model file, in numeric order; empty when there are none.
  public static func sets(nextTo modelPath: String) throws(ModelError) -> [TestDataSet] {
    // The folder as the user spelled it (reports repeat it), "." for a bare file name.
    let slash = modelPath.lastIndex(of: "/")
    let directory = slash.map { modelPath[..<$0].isEmpty ? "/" : String(modelPath[..<$0]) } ?? "."
    return try numberedSubfolders(of: directory).map { (folder) throws(ModelError) in try TestDataSet(folder: folder) }
  }

  /// `test_data_set_N` subfolders sorted by N (so 10 comes after 9).
  private static func numberedSubfolders(of directory: String) -> [String] {
    let prefix = "test_data_set_"
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    let numbered = entries.compactMap { entry -> (Int, String)? in
      guard entry.hasPrefix(prefix), let number = Int(entry.dropFirst(prefix.count)),
        isDirectory(directory + "/" + entry)
      else { return nil }
      return (number, directory + "/" + entry)
    }
    return numbered.sorted { $0.0 < $1.0 }.map(\.1)
  }

  private static func readSeries(in folder: String, fileName: (Int) -> String) throws(ModelError) -> [Constant] {
    var values: [Constant] = []
    while FileManager.default.fileExists(atPath: folder + "/" + fileName(values.count)) {
      values.append(try ONNXTensorFile.read(at: folder + "/" + fileName(values.count)).value)
    }
    return values
  }

  private static func isDirectory(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
  }
}
