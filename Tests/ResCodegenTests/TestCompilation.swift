import ResCodegen
import ResIR
import ResTestSupport
import Testing

/// Compiles a test graph and reads the plan back, checking on the way what must hold for every plan: the
/// file decodes, passes `PlanValidation`, and the memory planner's placement has no conflict.
func compile(
  _ builder: GraphBuilder, outputs: [ValueID], options: CodegenOptions = CodegenOptions()
) throws -> (generated: GeneratedPlan, decoded: DecodedPlan) {
  builder.graph.outputs = outputs
  let generated = try PlanGenerator.generate(builder.graph, options: options)
  let decoded = try DecodedPlan(generated.bytes)
  #expect(PlanValidation.problems(decoded) == [])
  #expect(MemoryPlanner.conflicts(generated.arena.requests, offsets: generated.arena.plan.offsets).isEmpty)
  return (generated, decoded)
}

/// The error a graph fails to compile with (nil when it compiles).
func compileError(_ builder: GraphBuilder, outputs: [ValueID], options: CodegenOptions = CodegenOptions())
  -> ModelError?
{
  builder.graph.outputs = outputs
  do {
    _ = try PlanGenerator.generate(builder.graph, options: options)
    return nil
  } catch {
    return error
  }
}

extension GraphBuilder {
  /// An f32 constant with the given values.
  func floats(_ values: [Float], _ dims: [Int], name: String = "k") -> ValueID {
    graph.addConstant(name: name, Constant(floats: values, dims: dims))
  }

  /// A constant of any type with the given values.
  func constant(_ dtype: DType, _ values: [Double], _ dims: [Int], name: String = "k") -> ValueID {
    graph.addConstant(name: name, Constant(dtype: dtype, dims: dims, doubles: values))
  }
}

/// Convolution attributes with unit strides and dilations.
func convAttributes(
  kernel: [Int], padding: Padding, strides: [Int] = [1, 1], group: Int = 1, epilogue: Epilogue = .none
) -> ConvAttributes {
  ConvAttributes(
    kernelShape: kernel, strides: strides, dilations: [Int](repeating: 1, count: kernel.count), padding: padding,
    group: group, epilogue: epilogue)
}
