import ResCompiler
import ResKernels
import ResReference
import ResRuntime

/// Runs a graph the way a user does, compiled to a plan and executed by the runtime, on the reference
/// evaluator's tensors, so the two can be compared. f32 and f16 tensors only (what these tests feed).
enum PlanExecution {
  /// The graph's outputs, in order, after compiling `graph` with `options` and running it on `inputs`.
  static func run(
    _ graph: Graph, options: CodegenOptions = CodegenOptions(), inputs: [String: ReferenceTensor], threads: Int = 1
  ) throws -> [ReferenceTensor] {
    let plan = try Plan(bytes: try PlanGenerator.generate(graph, options: options).bytes)
    var tensors: [String: Tensor] = [:]
    for (name, tensor) in inputs {
      tensors[name] = try runtimeTensor(tensor)
    }
    let outputs = try Runner(plan, threads: threads).run(tensors)
    return try plan.outputs.map { description in
      guard let output = outputs[description.name] else { throw ModelError("no output '\(description.name)'") }
      let dtype: DType = output.elementType == .f16 ? .float16 : .float32
      return ReferenceTensor(dtype: dtype, shape: output.shape, doubles: output.floats.map(Double.init))
    }
  }

  private static func runtimeTensor(_ tensor: ReferenceTensor) throws -> Tensor {
    guard tensor.dtype == .float16 else { return try Tensor(tensor.doubles.map(Float.init), shape: tensor.shape) }
    let bits = tensor.doubles.map { HalfPrecision.bits(from: Float($0)) }
    let bytes = bits.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }
    return try Tensor(bytes: bytes, elementType: .f16, shape: tensor.shape)
  }

  /// The worst comparison of `actual` with `expected`, output by output, or nil when all pass.
  static func mismatch(
    _ actual: [ReferenceTensor], _ expected: [ReferenceTensor], rtol: Double, atol: Double
  ) -> String? {
    guard actual.count == expected.count else { return "\(actual.count) outputs, expected \(expected.count)" }
    for (index, (a, e)) in zip(actual, expected).enumerated() {
      let comparison = ToleranceComparison(actual: a, expected: e, rtol: rtol, atol: atol)
      if !comparison.passed {
        return "output \(index): \(comparison.structuralMismatch ?? "") \(comparison.mismatchCount) of "
          + "\(comparison.elementCount) elements differ, max abs error \(comparison.maxAbsoluteError)"
      }
    }
    return nil
  }
}
