import Foundation
import ResTestSupport

@testable import ResONNX

/// ONNX's backend node tests (`../shared/onnx-node`, INDEX.tsv) and which of them are in scope: the same
/// selection as the importer's conformance suite (ResONNXTests' `NodeTestIndex`): every operator in the
/// importer's list (the operators inside Loop and If subgraphs included), every element type one the IR has, no
/// local functions, an opset the importer reads. Every test outside it is listed with its reasons.
struct NodeTestCatalog {
  struct Entry: Sendable {
    var name: String
    /// The op the test is about (INDEX.tsv's `primary_op`), which groups the report.
    var family: String
    /// Why the test is outside the scope; empty when it is in scope.
    var exclusionReasons: [String]
  }

  /// Where the node tests live; `RESCOMPILE_ONNX_NODE_TESTS` overrides `../shared/onnx-node`.
  static var root: String {
    ProcessInfo.processInfo.environment["RESCOMPILE_ONNX_NODE_TESTS"] ?? RepoPaths.nodeTests
  }

  static let supportedElementTypes: Set<String> = [
    "float", "float16", "double", "int64", "int32", "int8", "uint8", "bool", "",
  ]

  let entries: [Entry]

  /// Reads INDEX.tsv; a missing index is an error saying where it was expected (the suite never passes by
  /// finding nothing).
  init() throws {
    let path = Self.root + "/INDEX.tsv"
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw CatalogError(
        "ONNX's backend node tests are missing: cannot read \(path). CI provides them next to the checkout "
          + "(../shared/onnx-node); set RESCOMPILE_ONNX_NODE_TESTS to the folder that holds them.")
    }
    let rows = text.split(separator: "\n").map {
      $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    }
    guard let header = rows.first else { throw CatalogError("\(path) is empty") }
    func column(_ name: String) throws -> Int {
      guard let index = header.firstIndex(of: name) else { throw CatalogError("\(path) has no column '\(name)'") }
      return index
    }
    let (test, family, ops, opset, inputs, outputs, functions) = (
      try column("test"), try column("primary_op"), try column("op_types_incl_subgraphs"), try column("opset"),
      try column("input_dtypes"), try column("output_dtypes"), try column("n_local_functions")
    )
    entries = try rows.dropFirst().enumerated().map { number, row in
      guard row.count == header.count else { throw CatalogError("\(path) line \(number + 2) is malformed") }
      func list(_ column: Int) -> [String] {
        row[column].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      }
      let reasons = Self.exclusionReasons(
        ops: list(ops).filter { !$0.isEmpty }, elementTypes: list(inputs) + list(outputs), opset: Int(row[opset]),
        localFunctions: Int(row[functions]) ?? 0)
      return Entry(name: row[test], family: row[family], exclusionReasons: reasons)
    }.sorted { $0.name < $1.name }
  }

  private static func exclusionReasons(
    ops: [String], elementTypes: [String], opset: Int?, localFunctions: Int
  ) -> [String] {
    var reasons: [String] = []
    // An operator counts from its first opset on (Scan-8's batched form is not on the list).
    let unsupportedOps = Set(ops.filter { OpSupport.firstOpset[$0].map { $0 > opset ?? $0 } ?? true }).sorted()
    if !unsupportedOps.isEmpty { reasons.append("ops outside the list: " + unsupportedOps.joined(separator: ", ")) }
    let unsupportedTypes = Set(elementTypes.filter { !supportedElementTypes.contains($0) }).sorted()
    if !unsupportedTypes.isEmpty { reasons.append("element types outside the IR: " + unsupportedTypes.joined(separator: ", ")) }
    if localFunctions > 0 { reasons.append("\(localFunctions) local function(s)") }
    if let opset, !OpSupport.supportedOpsets.contains(opset) { reasons.append("opset \(opset)") }
    return reasons
  }

  struct CatalogError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
  }
}

extension NodeTestCatalog {
  /// The model's graph inputs that are not initializers, in order: `input_K.pb` belongs to the K-th.
  static func inputNames(ofModelAt path: String) throws -> [String] {
    let graph = try LoadedModel.load(path: path).model.graph
    let initializers = Set(graph.initializer.map(\.name))
    return graph.input.map(\.name).filter { !initializers.contains($0) }
  }
}
