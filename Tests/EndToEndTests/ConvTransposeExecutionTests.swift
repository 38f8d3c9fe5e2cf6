import Foundation
import ResCompiler
import ResReference
import ResRuntime
import SwiftProtobuf
import Testing

@testable import ResONNX

/// 2-D ConvTranspose models, imported as one convolution of the phases (strided, undilated) or as a convolution
/// of the stride-spread input, evaluated by the reference evaluator and compiled at -O0 and -O2: both must
/// give what the definition computes (each input cell scattering its kernel-weighted copy into the output).
@Suite struct ConvTransposeExecutionTests {
  struct Case: CustomStringConvertible, Sendable {
    var input: [Int]  // N, C, H, W
    var outputsPerGroup: Int
    var kernel: [Int]
    var strides: [Int]
    var pads: [Int] = [0, 0, 0, 0]
    var dilations: [Int] = [1, 1]
    var outputPadding: [Int] = [0, 0]
    var group = 1
    var bias = false

    var description: String {
      "x\(input) k\(kernel) s\(strides) p\(pads) d\(dilations) op\(outputPadding) g\(group)\(bias ? " bias" : "")"
    }
    var weightShape: [Int] { [input[1], outputsPerGroup] + kernel }
    var outputChannels: Int { outputsPerGroup * group }
  }

  static let cases: [Case] = [
    Case(input: [1, 4, 5, 6], outputsPerGroup: 3, kernel: [2, 2], strides: [2, 2], group: 2, bias: true),
    Case(input: [2, 3, 4, 4], outputsPerGroup: 5, kernel: [3, 3], strides: [3, 3]),
    Case(input: [1, 3, 4, 5], outputsPerGroup: 2, kernel: [2, 3], strides: [2, 3], bias: true),
    Case(
      input: [1, 4, 5, 5], outputsPerGroup: 3, kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1],
      outputPadding: [1, 1], bias: true),
    Case(
      input: [1, 4, 4, 4], outputsPerGroup: 2, kernel: [4, 4], strides: [2, 2], pads: [1, 1, 1, 1], group: 2),
    Case(input: [1, 2, 5, 5], outputsPerGroup: 2, kernel: [3, 3], strides: [1, 2], dilations: [2, 1]),
    Case(input: [1, 2, 6, 6], outputsPerGroup: 3, kernel: [2, 2], strides: [1, 1], pads: [2, 0, 1, 2]),
    Case(
      input: [1, 3, 4, 5], outputsPerGroup: 2, kernel: [5, 4], strides: [3, 2], pads: [2, 1, 1, 0],
      outputPadding: [1, 1], bias: true),
    Case(input: [1, 2, 3, 4], outputsPerGroup: 2, kernel: [1, 1], strides: [2, 3]),
  ]

  @Test(arguments: cases)
  func computesTheDefinition(_ example: Case) throws {
    let folder = NSTemporaryDirectory() + "rescompile-convtranspose-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let path = folder + "/model.onnx"
    let x = EinsumExecutionTests.sample(count: example.input.reduce(1, *), seed: 1)
    let w = EinsumExecutionTests.sample(count: example.weightShape.reduce(1, *), seed: 2)
    let b = EinsumExecutionTests.sample(count: example.outputChannels, seed: 3)
    try Data(try Self.modelBytes(example, weight: w, bias: b)).write(to: URL(fileURLWithPath: path))
    let (shape, values) = Self.definition(example, x: x, w: w, b: example.bias ? b : nil)
    let expected = ReferenceTensor(dtype: .float32, shape: shape, doubles: values)
    let inputs = ["x": Constant(dtype: .float32, dims: example.input, doubles: x)]

    let model = try LoadedModel(contentsOf: path)
    let reference = try ReferenceEvaluator.evaluate(model.graph, inputs: inputs.mapValues(ReferenceTensor.init))
    #expect(PlanExecution.mismatch(reference, [expected], rtol: 1e-5, atol: 1e-5) == nil, "reference")
    for level in [OptimizationLevel.none, .full] {
      let compiled = try model.compile(options: CompileOptions(optimization: level))
      let outputs = try Runner(try Plan(bytes: compiled.bytes)).run(constants: inputs)
      let actual = outputs.map { ReferenceTensor(constant: $0.value) }
      #expect(PlanExecution.mismatch(actual, [expected], rtol: 1e-4, atol: 1e-4) == nil, "-O\(level.rawValue)")
    }
  }

  @Test func kernelEqualToStrideIsOnePointwiseConvolution() throws {
    let example = Self.cases[0]
    let graph = try ONNXImporter.importModel(
      bytes: try Self.modelBytes(example, weight: [Double](repeating: 1, count: 48), bias: [Double](repeating: 0, count: 6)),
      baseDirectory: nil, options: ONNXImportOptions()
    ).graph
    let phases = try #require(graph.nodes.first { $0.name == "up.phases" })
    guard case .conv(let attributes) = phases.op else { Issue.record("not a conv"); return }
    #expect(attributes.kernelShape == [1, 1] && attributes.padding == .explicit([0, 0, 0, 0]))
    #expect(!graph.nodes.contains { $0.name == "up.spread" })
  }

  /// The scatter form of the definition: input cell (i, j) adds its value times the kernel into the output
  /// at `(i·s − pad + k·d)`.
  static func definition(_ c: Case, x: [Double], w: [Double], b: [Double]?) -> (shape: [Int], values: [Double]) {
    let (n, channels, h, wIn) = (c.input[0], c.input[1], c.input[2], c.input[3])
    var size: [Int] = []
    for (axis, extent) in [h, wIn].enumerated() {
      let spread: Int = c.strides[axis] * (extent - 1) + c.outputPadding[axis]
      let reach: Int = (c.kernel[axis] - 1) * c.dilations[axis] + 1
      size.append(spread + reach - c.pads[axis] - c.pads[2 + axis])
    }
    let m = c.outputChannels
    var y = [Double](repeating: 0, count: n * m * size[0] * size[1])
    let inputsPerGroup = channels / c.group
    for image in 0..<n {
      for channel in 0..<channels {
        let group = channel / inputsPerGroup
        for i in 0..<h {
          for j in 0..<wIn {
            let value = x[((image * channels + channel) * h + i) * wIn + j]
            for out in 0..<c.outputsPerGroup {
              for ki in 0..<c.kernel[0] {
                for kj in 0..<c.kernel[1] {
                  let oy: Int = i * c.strides[0] - c.pads[0] + ki * c.dilations[0]
                  let ox: Int = j * c.strides[1] - c.pads[1] + kj * c.dilations[1]
                  guard oy >= 0, oy < size[0], ox >= 0, ox < size[1] else { continue }
                  let kernelRow: Int = (channel * c.outputsPerGroup + out) * c.kernel[0] + ki
                  let weight = w[kernelRow * c.kernel[1] + kj]
                  let channelOut: Int = group * c.outputsPerGroup + out
                  let row: Int = (image * m + channelOut) * size[0] + oy
                  y[row * size[1] + ox] += value * weight
                }
              }
            }
          }
        }
      }
    }
    if let b {
      for index in y.indices { y[index] += b[(index / (size[0] * size[1])) % m] }
    }
    return ([n, m] + size, y)
  }

  static func modelBytes(_ c: Case, weight: [Double], bias: [Double]) throws -> [UInt8] {
    var model = Onnx_ModelProto()
    model.irVersion = 8
    var opset = Onnx_OperatorSetIdProto()
    opset.version = 17
    model.opsetImport = [opset]
    model.graph.name = "convtranspose"
    var node = Onnx_NodeProto()
    node.opType = "ConvTranspose"
    node.name = "up"
    node.input = c.bias ? ["x", "w", "b"] : ["x", "w"]
    node.output = ["y"]
    var group = Onnx_AttributeProto()
    group.name = "group"
    group.type = .int
    group.i = Int64(c.group)
    node.attribute = [
      ints("strides", c.strides), ints("pads", c.pads), ints("dilations", c.dilations),
      ints("output_padding", c.outputPadding), group,
    ]
    model.graph.node = [node]
    model.graph.initializer = [floats("w", c.weightShape, weight)]
    if c.bias { model.graph.initializer.append(floats("b", [c.outputChannels], bias)) }
    var input = Onnx_ValueInfoProto()
    input.name = "x"
    input.type.tensorType.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
    input.type.tensorType.shape.dim = c.input.map { size in
      var dim = Onnx_TensorShapeProto.Dimension()
      dim.dimValue = Int64(size)
      return dim
    }
    model.graph.input = [input]
    var output = Onnx_ValueInfoProto()
    output.name = "y"
    model.graph.output = [output]
    return try model.serializedBytes()
  }

  private static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
    var attribute = Onnx_AttributeProto()
    attribute.name = name
    attribute.type = .ints
    attribute.ints = values.map { Int64($0) }
    return attribute
  }

  private static func floats(_ name: String, _ dims: [Int], _ values: [Double]) -> Onnx_TensorProto {
    var tensor = Onnx_TensorProto()
    tensor.name = name
    tensor.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
    tensor.dims = dims.map { Int64($0) }
    tensor.floatData = values.map { Float($0) }
    return tensor
  }
}
