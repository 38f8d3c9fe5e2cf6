import ResPlan
import Testing

@testable import ResRuntime

/// One operand of a single-step test plan: its values (as doubles, converted to `type`) and whether it is a
/// constant (in the constant section) or a graph input (in the arena).
struct StepOperand {
  var type: ElementType = .f32
  var shape: [Int]
  var values: [Double]
  var constant = false
  /// A constant f32 operand stored packed in this layout (plan.proto `PanelPacking`) instead of row-major.
  var packing: PanelLayout? = nil

  init(_ shape: [Int], _ values: [Double], type: ElementType = .f32, constant: Bool = false) {
    self.shape = shape
    self.values = values
    self.type = type
    self.constant = constant
  }

  init(_ shape: [Int], floats: [Float], constant: Bool = false) {
    self.init(shape, floats.map(Double.init), constant: constant)
  }

  var bytes: [UInt8] {
    if let packing {
      let floats = values.map(Float.init)
      var packed = [Float](repeating: .nan, count: packing.floatCount)
      floats.withUnsafeBufferPointer { source in
        packed.withUnsafeMutableBufferPointer { packing.pack(source.baseAddress!, into: $0.baseAddress!) }
      }
      return packed.withUnsafeBytes { Array($0) }
    }
    var bytes = [UInt8](repeating: 0, count: values.count * type.byteWidth)
    bytes.withUnsafeMutableBytes { raw in
      for (index, value) in values.enumerated() {
        let scalar: ScalarValue = type.isFloatingPoint ? .real(value) : .integer(Int64(value))
        scalar.write(type, raw.baseAddress!, index)
      }
    }
    return bytes
  }
}

/// Builds and runs plans of one step, for operator tests.
enum StepHarness {
  /// The plan: inputs as constants or graph inputs `in0`, `in1`...; outputs `out0`, ...
  static func builder(
    _ kernel: KernelID, _ params: Rescompile_Plan_Step.OneOf_Params?, inputs: [StepOperand],
    outputs: [(ElementType, [Int])]
  ) -> PlanBuilder {
    var builder = PlanBuilder()
    var inputBuffers: [UInt32] = []
    for (index, operand) in inputs.enumerated() {
      if operand.constant {
        inputBuffers.append(builder.constant("in\(index)", operand.type, operand.shape, bytes: operand.bytes))
        if let packing = operand.packing, let buffer = inputBuffers.last { builder.metadata.buffers[Int(buffer)].packing = packing.message }
      } else {
        let buffer = builder.arena("in\(index)", operand.type, operand.shape)
        builder.input("in\(index)", buffer)
        inputBuffers.append(buffer)
      }
    }
    var outputBuffers: [UInt32] = []
    for (index, output) in outputs.enumerated() {
      let buffer = builder.arena("out\(index)", output.0, output.1)
      builder.output("out\(index)", buffer)
      outputBuffers.append(buffer)
    }
    builder.step(kernel, inputs: inputBuffers, outputs: outputBuffers, params)
    return builder
  }

  /// Runs the step and returns each output's values as doubles.
  static func run(
    _ kernel: KernelID, _ params: Rescompile_Plan_Step.OneOf_Params?, inputs: [StepOperand],
    outputs: [(ElementType, [Int])], threads: Int = 1
  ) throws -> [[Double]] {
    let plan = try builder(kernel, params, inputs: inputs, outputs: outputs).plan()
    let runner = try Runner(plan, threads: threads)
    var feeds: [String: Tensor] = [:]
    for (index, operand) in inputs.enumerated() where !operand.constant {
      feeds["in\(index)"] = try Tensor(bytes: operand.bytes, elementType: operand.type, shape: operand.shape)
    }
    let results = try runner.run(feeds)
    return try outputs.indices.map { index in
      let tensor = try #require(results["out\(index)"])
      return tensor.withUnsafeBytes { bytes in
        (0..<tensor.count).map { ScalarValue.read(tensor.elementType, bytes.baseAddress!, $0).asDouble }
      }
    }
  }

  /// Whether the step is rejected when the plan loads, with a message containing `fragment`.
  static func rejects(
    _ kernel: KernelID, _ params: Rescompile_Plan_Step.OneOf_Params?, inputs: [StepOperand],
    outputs: [(ElementType, [Int])], containing fragment: String
  ) -> Bool {
    do {
      _ = try builder(kernel, params, inputs: inputs, outputs: outputs).plan()
      Issue.record("the plan loaded; expected an error containing '\(fragment)'")
      return false
    } catch {
      let matches = error.kind == .invalidPlan && error.message.contains(fragment)
      if !matches { Issue.record("unexpected error: \(error.message)") }
      return matches
    }
  }
}

/// Expects every value within `absolute + relative·|expected|` (NaN matches NaN).
func expectClose(
  _ actual: [Double], _ expected: [Double], absolute: Double = 1e-5, relative: Double = 1e-5, _ context: String = "",
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(actual.count == expected.count, "\(context): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
  var failures = 0
  for (index, (a, e)) in zip(actual, expected).enumerated() {
    let ok = e.isNaN ? a.isNaN : (a == e || abs(a - e) <= absolute + relative * abs(e))
    if !ok && failures < 5 {
      failures += 1
      Issue.record("\(context): element \(index) is \(a), expected \(e)", sourceLocation: sourceLocation)
    }
  }
}
