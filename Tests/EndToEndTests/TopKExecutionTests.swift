import Foundation
import ResCompiler
import ResReference
import ResRuntime
import SwiftProtobuf
import Testing

@testable import ResONNX

/// ONNX `TopK` end to end: each form of K (opset 1's attribute, opset 10's input, a K computed from a static
/// shape) imported, evaluated by the reference evaluator and compiled at -O0 and -O2 and run by the runtime on
/// one and two threads. All must give what `naive` computes from the definition, with onnxruntime's order
/// (ties by position, NaN above every number), and the hostile models must each give one error naming the node.
@Suite struct TopKExecutionTests {
  /// How the model gives K.
  enum KForm: Sendable {
    /// The `k` attribute (opset < 10).
    case attribute(Int)
    /// An int64 initializer (opset 10 on).
    case initializer([Int64])
    /// A float initializer: the wrong type.
    case floatInitializer
    /// A graph input: not known when compiling.
    case graphInput
    /// `Shape(X)[axis]` at opset 15: the whole axis, known from X's static shape.
    case shapeOfX(axis: Int)
  }

  /// One TopK node `top` over X (`x`, dims nil = the symbol `N`), results `values` and `indices`.
  struct Model: Sendable, CustomStringConvertible {
    var opset = 17
    var dtype: Onnx_TensorProto.DataType = .float
    var dims: [Int?]
    var k: KForm
    var attributes: [String: Int] = [:]

    var description: String { "opset \(opset) \(dims) k \(k) \(attributes.sorted { $0.key < $1.key })" }
  }

  /// Where the definition is exercised: every form of K, first, middle and last axes, largest and smallest,
  /// `sorted=0`, and a case large enough (24,000 elements) for the runtime to split lines over two workers.
  static let cases: [Model] = [
    Model(opset: 9, dims: [3, 7], k: .attribute(3)),
    Model(opset: 10, dims: [3, 7], k: .initializer([4])),
    Model(opset: 11, dims: [5, 6, 4], k: .initializer([2]), attributes: ["axis": 1, "largest": 0]),
    Model(opset: 11, dims: [5, 6, 4], k: .initializer([5]), attributes: ["axis": -3, "sorted": 0]),
    Model(opset: 13, dims: [2, 9], k: .initializer([9]), attributes: ["largest": 0]),
    Model(opset: 17, dims: [4, 8, 3], k: .shapeOfX(axis: 1), attributes: ["axis": 1]),
    Model(opset: 24, dims: [12], k: .initializer([1])),
    Model(opset: 17, dims: [40, 600], k: .initializer([7]), attributes: ["axis": 1]),
    Model(opset: 17, dims: [300, 80], k: .initializer([250]), attributes: ["axis": 0, "largest": 0]),
  ]

  @Test(arguments: cases)
  func matchesTheDefinition(_ model: Model) throws {
    let shape = model.dims.map { $0 ?? 0 }
    let x = Self.sample(shape: shape)
    let axis = Self.axis(model)
    let k = Self.count(model, shape: shape)
    let expected = Self.naive(x, axis: axis, k: k, largest: model.attributes["largest"] != 0)
    let file = try Self.load(model)
    defer { file.remove() }
    let loaded = file.model
    let reference = try ReferenceEvaluator.evaluate(loaded.graph, inputs: ["x": ReferenceTensor(constant: x)])
    #expect(Self.mismatch(reference, expected) == nil, "reference: \(Self.mismatch(reference, expected) ?? "")")
    for (level, threads) in [(OptimizationLevel.none, 1), (.full, 1), (.full, 2)] {
      let actual = try Self.run(loaded, ["x": x], level: level, threads: threads)
      #expect(Self.mismatch(actual, expected) == nil, "-O\(level.rawValue), \(threads) threads")
    }
  }

  /// The order onnxruntime 1.32 gives on a line of NaNs, infinities, ties and both zeros (its output for this
  /// very input): NaNs first when largest and last when smallest, ties by position, -0 equal to 0.
  @Test(arguments: [
    (true, [1, 3, 9, 2, 4, 0, 6, 7, 8, 5] as [Int64]), (false, [5, 7, 8, 0, 6, 2, 4, 9, 1, 3]),
  ])
  func ordersAsOnnxruntime(largest: Bool, positions: [Int64]) throws {
    let line: [Float] = [1, .nan, 3, .nan, 3, -.infinity, 1, 0, -0.0, .infinity]
    let x = Constant(floats: line, dims: [1, 10])
    let model = Model(dims: [1, 10], k: .initializer([10]), attributes: ["largest": largest ? 1 : 0])
    let file = try Self.load(model)
    defer { file.remove() }
    let loaded = file.model
    let values = positions.map { Double(line[Int($0)]) }
    let expected = [
      ReferenceTensor(dtype: .float32, shape: [1, 10], doubles: values),
      ReferenceTensor(dtype: .int64, shape: [1, 10], integers: positions),
    ]
    let reference = try ReferenceEvaluator.evaluate(loaded.graph, inputs: ["x": ReferenceTensor(constant: x)])
    #expect(Self.mismatch(reference, expected) == nil, "reference: \(Self.mismatch(reference, expected) ?? "")")
    let actual = try Self.run(loaded, ["x": x], level: .none, threads: 1)
    #expect(Self.mismatch(actual, expected) == nil, "runtime: \(Self.mismatch(actual, expected) ?? "")")
  }

  /// int64 is ordered as integers, in the reference evaluator and the runtime: neighbours beyond 2⁵³ (equal
  /// as doubles) keep their order, and the values come back exactly.
  @Test func int64StaysExact() throws {
    let line: [Int64] = [.max - 1, 5, .max, .min, .max - 1, .min + 1, 5]
    let x = Constant(int64s: line, dims: [7])
    let file = try Self.load(Model(dtype: .int64, dims: [7], k: .initializer([5])))
    defer { file.remove() }
    let loaded = file.model
    let positions: [Int64] = [2, 0, 4, 1, 6]
    let expected = [
      ReferenceTensor(dtype: .int64, shape: [5], integers: positions.map { line[Int($0)] }),
      ReferenceTensor(dtype: .int64, shape: [5], integers: positions),
    ]
    let reference = try ReferenceEvaluator.evaluate(loaded.graph, inputs: ["x": ReferenceTensor(constant: x)])
    #expect(reference == expected)
    #expect(try Self.run(loaded, ["x": x], level: .full, threads: 1) == expected)
  }

  /// Every other element type the IR has: f64 and i32 run in their own type, f16 widened to f32 and the 8-bit
  /// integers to i32 around the step; each widening is exact, so the results are the definition's exactly.
  @Test(arguments: [
    (Onnx_TensorProto.DataType.double, DType.float64), (.float16, .float16), (.int32, .int32), (.int8, .int8),
    (.uint8, .uint8),
  ])
  func otherElementTypes(_ onnxType: Onnx_TensorProto.DataType, _ dtype: DType) throws {
    let model = Model(dtype: onnxType, dims: [4, 9], k: .initializer([4]), attributes: ["largest": 0])
    let file = try Self.load(model)
    defer { file.remove() }
    let samples = Self.sample(shape: [4, 9]).doubles()
    let values = dtype.isFloatingPoint ? samples : samples.map { $0.isFinite ? ($0 * 2 + 100) : 0 }
    let x = Constant(dtype: dtype, dims: [4, 9], doubles: values)
    let expected = Self.naive(x, axis: 1, k: 4, largest: false)
    let reference = try ReferenceEvaluator.evaluate(file.model.graph, inputs: ["x": ReferenceTensor(constant: x)])
    #expect(Self.mismatch(reference, expected) == nil, "reference: \(Self.mismatch(reference, expected) ?? "")")
    let actual = try Self.run(file.model, ["x": x], level: .full, threads: 1)
    #expect(Self.mismatch(actual, expected) == nil, "runtime: \(Self.mismatch(actual, expected) ?? "")")
  }

  /// k = 0 is allowed (onnxruntime accepts it): both results are empty, and the plan has no TopK step to run.
  @Test func zeroCountGivesEmptyResults() throws {
    let file = try Self.load(Model(dims: [3, 4], k: .initializer([0])))
    defer { file.remove() }
    let loaded = file.model
    let x = Self.sample(shape: [3, 4])
    let actual = try Self.run(loaded, ["x": x], level: .none, threads: 1)
    #expect(actual.map(\.shape) == [[3, 0], [3, 0]])
    #expect(actual.map(\.dtype) == [.float32, .int64])
  }

  /// A symbolic batch dimension off the axis is bound when compiling, like any other.
  @Test func symbolicDimensionOffTheAxis() throws {
    let model = Model(dims: [nil, 6], k: .initializer([2]), attributes: ["largest": 0])
    let file = try Self.load(model)
    defer { file.remove() }
    let loaded = file.model
    let x = Self.sample(shape: [5, 6])
    let expected = Self.naive(x, axis: 1, k: 2, largest: false)
    let actual = try Self.run(loaded, ["x": x], level: .full, threads: 1, bindings: ["N": 5])
    #expect(Self.mismatch(actual, expected) == nil)
  }

  // MARK: - Hostile models

  static let refusals: [(Model, String)] = [
    (Model(dims: [3, 4], k: .graphInput), "node 'top' (TopK): operand 'K' of TopK must be a constant"),
    (Model(dims: [3, 4], k: .initializer([-1])), "node 'top' (TopK): K is -1, a negative count"),
    (Model(dims: [3, 4], k: .initializer([1, 2])), "node 'top' (TopK): K must hold one value, got 2"),
    (Model(dims: [3, 4], k: .floatInitializer), "node 'top' (TopK): operand 'K' must hold integers, not float"),
    (
      Model(dims: [3, 4], k: .initializer([5])),
      "node 'top' (TopK): k 5 is larger than the length 4 of axis 1 of X f32[3,4]"
    ),
    (
      Model(dims: [3, 4], k: .initializer([Int64.max])),
      "node 'top' (TopK): k 9223372036854775807 is larger than the length 4 of axis 1 of X f32[3,4]"
    ),
    (Model(opset: 11, dims: [3, 4], k: .attribute(2)), "node 'top' (TopK): attribute 'k' is an input from opset 10 on"),
    (
      Model(opset: 9, dims: [3, 4], k: .initializer([2])),
      "node 'top' (TopK): has 2 inputs, at most 1 expected at opset 9"
    ),
    (
      Model(dims: [3, 4], k: .initializer([2]), attributes: ["axis": 2]),
      "node 'top' (TopK): axis 2 is out of range for rank 2"
    ),
    (
      Model(dims: [3, 4], k: .initializer([2]), attributes: ["largest": 2]),
      "node 'top' (TopK): attribute 'largest' is 2, expected 0 or 1"
    ),
    (
      Model(dtype: .bool, dims: [3, 4], k: .initializer([2])),
      "node 'top' (TopK): X is bool but must be float16, float, double, int64, int32, int8 or uint8"
    ),
  ]

  @Test(arguments: refusals)
  func hostileModelIsOneErrorNamingTheNode(_ model: Model, _ expected: String) throws {
    do {
      try Self.load(model).remove()
      Issue.record("imported, expected: \(expected)")
    } catch {
      #expect("\(error)" == expected)
    }
  }

  /// A symbolic axis cannot be checked at import; binding it too short is a compile error naming the node.
  @Test func countBeyondABoundAxisIsACompileError() throws {
    let file = try Self.load(Model(dims: [2, nil], k: .initializer([5])))
    defer { file.remove() }
    let loaded = file.model
    do {
      _ = try loaded.compile(options: CompileOptions(dimensionBindings: ["N": 3], optimization: .none))
      Issue.record("compiled with k 5 on an axis of length 3")
    } catch {
      #expect("\(error)".contains("node 'top' (TopK): k 5 is larger than the length 3 of axis 1"), "\(error)")
    }
  }

  @Test func missingCountAttributeIsAnError() throws {
    var bytes = try Self.bytes(Model(opset: 9, dims: [3, 4], k: .attribute(2)))
    var proto = try Onnx_ModelProto(serializedBytes: bytes)
    proto.graph.node[0].attribute.removeAll { $0.name == "k" }
    bytes = try proto.serializedBytes()
    #expect(throws: ModelError(node: "top", opType: "TopK", "required attribute 'k' is missing")) {
      try ONNXImporter.importModel(bytes: bytes, baseDirectory: nil, options: ONNXImportOptions())
    }
  }

  // MARK: - The definition

  /// TopK from its definition, independently of the evaluator: each line's (class, key, position) triples
  /// sorted as tuples, where NaN is the class that comes first when largest and last when smallest.
  static func naive(_ x: Constant, axis: Int, k: Int, largest: Bool) -> [ReferenceTensor] {
    let values = x.doubles()
    let shape = x.dims
    let outer = shape[..<axis].reduce(1, *)
    let length = shape[axis]
    let inner = shape[(axis + 1)...].reduce(1, *)
    var picked = [Double](repeating: 0, count: outer * k * inner)
    var positions = [Int64](repeating: 0, count: picked.count)
    for o in 0..<outer {
      for i in 0..<inner {
        let line = (0..<length).map { values[(o * length + $0) * inner + i] }
        let keys = line.enumerated().map { position, value in
          let nanClass = largest ? 0 : 1
          let numberClass = 1 - nanClass
          return value.isNaN ? (nanClass, 0.0, position) : (numberClass, largest ? -value : value, position)
        }
        for (rank, key) in keys.sorted(by: <).prefix(k).enumerated() {
          picked[(o * k + rank) * inner + i] = line[key.2]
          positions[(o * k + rank) * inner + i] = Int64(key.2)
        }
      }
    }
    var resultShape = shape
    resultShape[axis] = k
    return [
      ReferenceTensor(dtype: x.dtype, shape: resultShape, doubles: picked),
      ReferenceTensor(dtype: .int64, shape: resultShape, integers: positions),
    ]
  }

  /// Small integers (many ties) with NaNs and infinities among them, from a fixed sequence.
  static func sample(shape: [Int]) -> Constant {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    let values: [Float] = (0..<shape.reduce(1, *)).map { _ in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      switch state >> 58 {
      case 0: return .nan
      case 1: return .infinity
      case 2: return -.infinity
      default: return Float(Int(state >> 33 & 15) - 7) * 0.5
      }
    }
    return Constant(floats: values, dims: shape)
  }

  static func axis(_ model: Model) -> Int {
    let given = model.attributes["axis"] ?? -1
    return given < 0 ? given + model.dims.count : given
  }

  static func count(_ model: Model, shape: [Int]) -> Int {
    switch model.k {
    case .attribute(let k): k
    case .initializer(let values): Int(values.first ?? 0)
    case .shapeOfX(let axis): shape[axis]
    case .floatInitializer, .graphInput: 0
    }
  }

  // MARK: - Running

  /// A model written to a temporary folder and loaded; the compiler reads the file again (to fingerprint
  /// it), so the folder lives until `remove()`.
  struct ModelFile {
    let model: ResCompiler.LoadedModel
    let folder: String

    func remove() { try? FileManager.default.removeItem(atPath: folder) }
  }

  static func load(_ model: Model) throws -> ModelFile {
    let folder = NSTemporaryDirectory() + "rescompile-topk-\(UUID().uuidString)"
    let path = folder + "/model.onnx"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try Data(try bytes(model)).write(to: URL(fileURLWithPath: path))
    do {
      return ModelFile(model: try ResCompiler.LoadedModel(contentsOf: path), folder: folder)
    } catch {
      try? FileManager.default.removeItem(atPath: folder)
      throw error
    }
  }

  static func run(
    _ loaded: ResCompiler.LoadedModel, _ inputs: [String: Constant], level: OptimizationLevel, threads: Int,
    bindings: [String: Int] = [:]
  ) throws -> [ReferenceTensor] {
    let compiled = try loaded.compile(options: CompileOptions(dimensionBindings: bindings, optimization: level))
    let outputs = try Runner(try Plan(bytes: compiled.bytes), threads: threads).run(constants: inputs)
    return outputs.map { ReferenceTensor(constant: $0.value) }
  }

  /// The first difference between `actual` and `expected`: exact, NaN equal to NaN.
  static func mismatch(_ actual: [ReferenceTensor], _ expected: [ReferenceTensor]) -> String? {
    guard actual.count == expected.count else { return "\(actual.count) outputs, expected \(expected.count)" }
    for (index, (a, e)) in zip(actual, expected).enumerated() {
      let comparison = ToleranceComparison(actual: a, expected: e, rtol: 0, atol: 0)
      if !comparison.passed { return "output \(index): \(comparison)" }
    }
    return nil
  }

  // MARK: - The model file

  static func bytes(_ model: Model) throws -> [UInt8] {
    var proto = Onnx_ModelProto()
    proto.irVersion = 8
    var opset = Onnx_OperatorSetIdProto()
    opset.version = Int64(model.opset)
    proto.opsetImport = [opset]
    proto.graph.name = "topk"
    proto.graph.input = [valueInfo("x", model.dtype, model.dims)]
    var node = Onnx_NodeProto()
    node.opType = "TopK"
    node.name = "top"
    node.input = ["x"]
    node.output = ["values", "indices"]
    node.attribute = model.attributes.sorted { $0.key < $1.key }.map { attribute($0.key, $0.value) }
    switch model.k {
    case .attribute(let k):
      node.attribute.append(attribute("k", k))
    case .initializer(let values):
      node.input.append("k")
      proto.graph.initializer.append(tensor("k", .int64, dims: [values.count], values.flatMap(littleEndian)))
    case .floatInitializer:
      node.input.append("k")
      proto.graph.initializer.append(tensor("k", .float, dims: [1], littleEndian(Float(2))))
    case .graphInput:
      node.input.append("k")
      proto.graph.input.append(valueInfo("k", .int64, [1]))
    case .shapeOfX(let axis):
      var shape = Onnx_NodeProto()
      shape.opType = "Shape"
      shape.name = "shape"
      shape.input = ["x"]
      shape.output = ["k"]
      shape.attribute = [attribute("start", axis), attribute("end", axis + 1)]
      proto.graph.node.append(shape)
      node.input.append("k")
    }
    proto.graph.node.append(node)
    proto.graph.output = ["values", "indices"].map { name in
      var info = Onnx_ValueInfoProto()
      info.name = name
      return info
    }
    return try proto.serializedBytes()
  }

  /// A tensor's declaration; nil dimensions are the symbol `N`.
  static func valueInfo(_ name: String, _ dtype: Onnx_TensorProto.DataType, _ dims: [Int?]) -> Onnx_ValueInfoProto {
    var info = Onnx_ValueInfoProto()
    info.name = name
    info.type.tensorType.elemType = Int32(dtype.rawValue)
    info.type.tensorType.shape.dim = dims.map { size in
      var dim = Onnx_TensorShapeProto.Dimension()
      if let size { dim.dimValue = Int64(size) } else { dim.dimParam = "N" }
      return dim
    }
    return info
  }

  static func attribute(_ name: String, _ value: Int) -> Onnx_AttributeProto {
    var attribute = Onnx_AttributeProto()
    attribute.name = name
    attribute.type = .int
    attribute.i = Int64(value)
    return attribute
  }

  static func tensor(_ name: String, _ dtype: Onnx_TensorProto.DataType, dims: [Int], _ bytes: [UInt8])
    -> Onnx_TensorProto
  {
    var tensor = Onnx_TensorProto()
    tensor.name = name
    tensor.dataType = Int32(dtype.rawValue)
    tensor.dims = dims.map { Int64($0) }
    tensor.rawData = Data(bytes)
    return tensor
  }

  static func littleEndian<T: BitwiseCopyable>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value) { Array($0) }
  }
}
