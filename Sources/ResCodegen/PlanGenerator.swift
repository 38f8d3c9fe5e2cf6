import ResIR

/// Compiles a verified IR graph into a plan file: the code generator of rescompile.
///
/// 1. `StaticGraph`: binds the inputs' symbolic dimensions, re-infers every type, and evaluates at compile time
///    what a static plan can know (Shape, and nodes of constants), so every shape is a number.
/// 2. `GraphLowering`: each live node becomes steps naming a kernel of the registry (`KernelID`) with their
///    parameters; reshapes become views; constants are packed for the kernels that read them; f16 and f64
///    operands of the f32-only compute kernels are converted around them; the Transposes next to MatMuls are
///    read and written in place by them (`MatMulTransposes`).
/// 3. `Float16Rounding`: a cast to float16 and back between two f32 kernels becomes one rounding step.
/// 4. `ConcatAliasing`: Concat operands that can be are computed straight into their slab of the output, and
///    their copies disappear.
/// 5. `PlanEmitter`: the memory planner places activations in one arena by lifetime, constants go to 64-byte
///    aligned offsets (identical ones once), and the metadata is encoded.
///
/// Deterministic: the same graph and options give the same bytes.
public enum PlanGenerator {
  public static func generate(_ graph: Graph, options: CodegenOptions = CodegenOptions()) throws(ModelError)
    -> GeneratedPlan
  {
    let prepared = try StaticGraph.prepare(graph, options: options)
    var lowered = try GraphLowering.lower(
      prepared, transposedOperands: options.transposedMatMulOperands, layouts: options.activationLayout,
      winogradTile: options.winogradTile, winogradReach: options.winogradReach)
    Float16Rounding.apply(to: &lowered)
    let concats = try ConcatAliasing.apply(to: &lowered, enabled: options.concatAliasing)
    return try PlanEmitter.emit(
      lowered, concats: concats, from: prepared, sourceNodeCount: graph.nodes.count, options: options)
  }
}
