import Foundation
import Testing

@testable import ResONNX

/// `INDEX.tsv` of ONNX's backend node tests: what each test uses, and so whether it is in the importer's
/// scope (issue #2: every test whose operators are all in the op list must import) or why not.
struct NodeTestIndex {
  /// One test (one row).
  struct Entry {
    var name: String
    /// The op the test is about (INDEX.tsv's `primary_op`), which groups the report.
    var family: String
    var ops: [String]
    /// The element types of the inputs and outputs, as INDEX.tsv spells them (`float`, `seq(float)`...).
    var elementTypes: [String]
    var opset: Int?
    var localFunctions: Int

    /// Why the test is outside the importer's scope, one phrase per reason; empty when it is in scope.
    var exclusionReasons: [String] {
      var reasons: [String] = []
      // An operator counts from its first opset on (Scan-8's batched form is not on the list).
      let unsupportedOps = Set(ops.filter { OpSupport.firstOpset[$0].map { $0 > opset ?? $0 } ?? true }).sorted()
      if !unsupportedOps.isEmpty { reasons.append("ops outside the list: " + unsupportedOps.joined(separator: ", ")) }
      if let types = unsupportedElementTypes { reasons.append("element types outside the IR: " + types) }
      if localFunctions > 0 { reasons.append("\(localFunctions) local function(s)") }
      if let opset, !OpSupport.supportedOpsets.contains(opset) {
        let supported = OpSupport.supportedOpsets
        reasons.append("opset \(opset) (the importer reads \(supported.lowerBound) to \(supported.upperBound))")
      }
      return reasons
    }

    /// The element types the IR has no `DType` for, listed once each; `nil` when there are none.
    var unsupportedElementTypes: String? {
      let unsupported = Set(elementTypes.filter { !NodeTestIndex.supportedElementTypes.contains($0) }).sorted()
      return unsupported.isEmpty ? nil : unsupported.joined(separator: ", ")
    }
  }

  /// INDEX.tsv's spellings of the IR's element types; empty is an input the index could not type.
  static let supportedElementTypes: Set<String> = [
    "float", "float16", "double", "int64", "int32", "int8", "uint8", "bool", "",
  ]

  let entries: [Entry]

  /// Reads `folder/INDEX.tsv`. A missing folder or index is an error that says where the tests are expected
  /// and how to point the tests elsewhere, so the conformance suite can never pass by finding nothing.
  init(folder: String) throws {
    let path = folder + "/INDEX.tsv"
    guard FileManager.default.fileExists(atPath: path) else {
      throw IndexError(
        "ONNX's backend node tests are missing: \(path) does not exist. CI provides them next to the checkout "
          + "(../shared/onnx-node); set RESCOMPILE_ONNX_NODE_TESTS to the folder that holds them.")
    }
    let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
      $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    }
    guard let header = lines.first else { throw IndexError("\(path) is empty") }
    func column(_ name: String) throws -> Int {
      guard let index = header.firstIndex(of: name) else { throw IndexError("\(path) has no column '\(name)'") }
      return index
    }
    let columns = (
      test: try column("test"), family: try column("primary_op"), ops: try column("op_types_incl_subgraphs"),
      opset: try column("opset"), inputs: try column("input_dtypes"), outputs: try column("output_dtypes"),
      functions: try column("n_local_functions")
    )
    entries = try lines.dropFirst().enumerated().map { number, row in
      guard row.count == header.count else {
        throw IndexError("\(path) line \(number + 2) has \(row.count) columns, the header \(header.count)")
      }
      func list(_ column: Int) -> [String] {
        row[column].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      }
      return Entry(
        name: row[columns.test], family: row[columns.family], ops: list(columns.ops),
        elementTypes: list(columns.inputs) + list(columns.outputs), opset: Int(row[columns.opset]),
        localFunctions: Int(row[columns.functions]) ?? 0)
    }
  }

  struct IndexError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
  }
}
