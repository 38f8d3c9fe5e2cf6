import Foundation
import ResCompiler
@testable import ResONNX
import ResRuntime
import SwiftProtobuf
import Testing

/// A model with a dynamic height and width whose Resize needs them (a U-Net's or an FPN's upsampling) runs and
/// checks without `--dim`: `RunnableFile` and `DeferredModel` read the inputs' declarations, bind the symbols
/// to the sizes of the given inputs, and import with them. Imported first and bound only when compiled, the
/// same model stops at its Resize.
@Suite struct DeferredImportTests {
  /// `x [N, 2, H, W]` → 3x3 convolution (weights `w`, padding 1) → ReLU → Resize ×2 nearest → `y`.
  static func modelBytes(declaring dims: [Int?] = [nil, 2, nil, nil]) throws -> [UInt8] {
    var model = Onnx_ModelProto()
    model.irVersion = 8
    var opset = Onnx_OperatorSetIdProto()
    opset.version = 17
    model.opsetImport = [opset]
    model.graph.name = "upsample"
    model.graph.initializer = [
      tensor("w", dims: [3, 2, 3, 3], floats: sample(54)), tensor("scales", dims: [4], floats: [1, 1, 2, 2]),
    ]
    model.graph.node = [
      node("Conv", ["x", "w"], ["c"], name: "conv", ints: ["pads": [1, 1, 1, 1]]),
      node("Relu", ["c"], ["r"], name: "relu"),
      node("Resize", ["r", "", "scales"], ["y"], name: "up", strings: ["mode": "nearest"]),
    ]
    let symbols = ["N", "", "H", "W"]
    var input = Onnx_ValueInfoProto()
    input.name = "x"
    input.type.tensorType.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
    input.type.tensorType.shape.dim = dims.enumerated().map { axis, size in
      var dim = Onnx_TensorShapeProto.Dimension()
      if let size { dim.dimValue = Int64(size) } else { dim.dimParam = symbols[axis] }
      return dim
    }
    model.graph.input = [input]
    var output = Onnx_ValueInfoProto()
    output.name = "y"
    model.graph.output = [output]
    return try model.serializedBytes()
  }

  /// The model's output by its definition: the convolution and ReLU in double, then each value repeated
  /// into a 2x2 block (nearest, half-pixel centres, an exact scale of 2).
  static func expected(_ x: [Float], n: Int, h: Int, w: Int) -> [Float] {
    let weights = sample(54)
    var y = [Float](repeating: 0, count: n * 3 * 4 * h * w)
    for image in 0..<n {
      for m in 0..<3 {
        for row in 0..<h {
          for column in 0..<w {
            var sum = 0.0
            for c in 0..<2 {
              for i in 0..<3 {
                for j in 0..<3 {
                  let (r, s) = (row + i - 1, column + j - 1)
                  guard (0..<h).contains(r), (0..<w).contains(s) else { continue }
                  sum += Double(x[((image * 2 + c) * h + r) * w + s]) * Double(weights[(m * 2 + c) * 9 + i * 3 + j])
                }
              }
            }
            let value = Float(max(sum, 0))
            for (dr, ds) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
              y[((image * 3 + m) * 2 * h + 2 * row + dr) * 2 * w + 2 * column + ds] = value
            }
          }
        }
      }
    }
    return y
  }

  @Test func aModelWhoseResizeNeedsTheSizesRunsOnItsInputs() throws {
    try withModel { path in
      // Imported without sizes, the Resize cannot be: the reason the import waits.
      let refused = #expect(throws: ModelError.self) { try LoadedModel(contentsOf: path) }
      #expect(refused?.node == "up")

      let deferred = try #require(DeferredModel.open(path))
      #expect(deferred.inputNames == ["x"])
      let source = try RunnableFile.open(path)
      guard case .deferredModel = source else {
        Issue.record("a model with open symbolic sizes opens deferred, not \(source)")
        return
      }
      for (n, h, w) in [(1, 5, 7), (2, 4, 3)] {
        let x = Self.sample(n * 2 * h * w, seed: h)
        let inputs = ["x": Constant(floats: x, dims: [n, 2, h, w])]
        let plan = try source.plan(options: CompileOptions(), inputs: inputs)
        let outputs = try Runner(plan).run(constants: inputs)
        let y = try #require(outputs.first?.value)
        #expect(y.dims == [n, 3, 2 * h, 2 * w])
        let actual = y.doubles()
        let reference = Self.expected(x, n: n, h: h, w: w)
        let worst = zip(actual, reference).map { abs($0 - Double($1)) }.max() ?? 0
        #expect(worst <= 1e-5, "\(n)x\(h)x\(w): largest difference \(worst)")
      }
    }
  }

  /// `check` groups the data sets by the sizes they give, imports once per group, and reports in their order.
  @Test func checkImportsOncePerSizeAndKeepsTheDataSetsInOrder() throws {
    try withModel { path in
      let folder = (path as NSString).deletingLastPathComponent
      let shapes = [(1, 4, 6), (1, 3, 3), (1, 4, 6)]
      var dataSets: [TestDataSet] = []
      for (index, (n, h, w)) in shapes.enumerated() {
        let x = Self.sample(n * 2 * h * w, seed: 10 + index)
        let set = "\(folder)/test_data_set_\(index)"
        try FileManager.default.createDirectory(atPath: set, withIntermediateDirectories: true)
        try Self.write(Self.tensor("x", dims: [n, 2, h, w], floats: x), to: set + "/input_0.pb")
        let y = Self.expected(x, n: n, h: h, w: w)
        try Self.write(Self.tensor("y", dims: [n, 3, 2 * h, 2 * w], floats: y), to: set + "/output_0.pb")
        dataSets.append(try TestDataSet(folder: set))
      }
      let deferred = try #require(DeferredModel.open(path))
      let report = try deferred.check(against: dataSets, options: CompileOptions(), rtol: 1e-4, atol: 1e-5)
      #expect(report.passed)
      #expect(report.results.map(\.dataSet) == ["test_data_set_0", "test_data_set_1", "test_data_set_2"])
      #expect(report.results.map(\.type) == ["f32[1,3,8,12]", "f32[1,3,6,6]", "f32[1,3,8,12]"])
      #expect(report.reference == .testData(folders: dataSets.map(\.folder)))
    }
  }

  /// Must not defer: a model whose inputs have no symbols, or whose symbols `--dim` binds; a rank the
  /// declaration does not have is an error naming the input, before anything is imported.
  @Test func onlyOpenSymbolsDeferTheImport() throws {
    try withModel(declaring: [1, 2, 6, 6]) { path in
      #expect(DeferredModel.open(path) == nil)
      guard case .model = try RunnableFile.open(path) else {
        Issue.record("a model of known sizes is imported at once")
        return
      }
    }
    try withModel { path in
      #expect(DeferredModel.open(path, options: ImportOptions(dimensionBindings: ["N": 1, "H": 4, "W": 4])) == nil)
      #expect(DeferredModel.open(path, options: ImportOptions(dimensionBindings: ["N": 1, "H": 4])) != nil)
      let deferred = try #require(DeferredModel.open(path, options: ImportOptions(dimensionBindings: ["N": 1])))
      #expect(try deferred.dimensionBindings(matching: ["x": Constant(floats: Self.sample(24), dims: [1, 2, 3, 4])])
        == ["N": 1, "H": 3, "W": 4])
      let rank = #expect(throws: ModelError.self) {
        try deferred.imported(matching: ["x": Constant(floats: Self.sample(6), dims: [2, 3])])
      }
      #expect(rank?.message.contains("input 'x' has shape [2, 3]") == true)
      let batch = #expect(throws: ModelError.self) {
        try deferred.imported(matching: ["x": Constant(floats: Self.sample(24), dims: [2, 2, 2, 3])])
      }
      #expect(batch?.message.contains("'N' is 1") == true)
    }
  }

  // MARK: - Helpers

  private func withModel(declaring dims: [Int?] = [nil, 2, nil, nil], _ body: (String) throws -> Void) throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rescompile-deferred-\(UUID())").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let path = folder + "/model.onnx"
    try Data(Self.modelBytes(declaring: dims)).write(to: URL(fileURLWithPath: path))
    try body(path)
  }

  static func sample(_ count: Int, seed: Int = 0) -> [Float] {
    (0..<count).map { Float(($0 * 37 + seed * 11) % 23) / 23 - 0.4 }
  }

  static func tensor(_ name: String, dims: [Int], floats: [Float]) -> Onnx_TensorProto {
    var tensor = Onnx_TensorProto()
    tensor.name = name
    tensor.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
    tensor.dims = dims.map(Int64.init)
    tensor.floatData = floats
    return tensor
  }

  static func write(_ tensor: Onnx_TensorProto, to path: String) throws {
    try Data(tensor.serializedBytes() as [UInt8]).write(to: URL(fileURLWithPath: path))
  }

  static func node(
    _ op: String, _ inputs: [String], _ outputs: [String], name: String, ints: [String: [Int]] = [:],
    strings: [String: String] = [:]
  ) -> Onnx_NodeProto {
    var node = Onnx_NodeProto()
    node.opType = op
    node.name = name
    node.input = inputs
    node.output = outputs
    for (key, values) in ints.sorted(by: { $0.key < $1.key }) {
      var attribute = Onnx_AttributeProto()
      attribute.name = key
      attribute.type = .ints
      attribute.ints = values.map(Int64.init)
      node.attribute.append(attribute)
    }
    for (key, value) in strings.sorted(by: { $0.key < $1.key }) {
      var attribute = Onnx_AttributeProto()
      attribute.name = key
      attribute.type = .string
      attribute.s = Data(value.utf8)
      node.attribute.append(attribute)
    }
    return node
  }
}
