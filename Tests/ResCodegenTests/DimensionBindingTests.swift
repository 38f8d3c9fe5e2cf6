import ResCodegen
import ResIR
import ResTestSupport
import Testing

/// Symbolic input dimensions get their values from `CodegenOptions.dimensionBindings`, and every mistake in
/// the bindings is an error that says what to do.
@Suite struct DimensionBindingTests {
  private func graph() throws -> (GraphBuilder, ValueID) {
    let b = GraphBuilder()
    let y = try b.value(.unary(.relu), [b.input("f32[batch,3,T]", name: "tokens")])
    return (b, y)
  }

  @Test func bindingsMakeEveryShapeStatic() throws {
    let (b, y) = try graph()
    let (_, plan) = try compile(b, outputs: [y], options: CodegenOptions(dimensionBindings: ["batch": 4, "T": 7]))
    #expect(plan.buffer(plan.metadata.inputs[0].buffer).shape == [4, 3, 7])
    #expect(plan.output().shape == [4, 3, 7])
  }

  @Test func anUnboundSymbolNamesTheInputAndSaysHowToBindIt() throws {
    let (b, y) = try graph()
    let error = try #require(compileError(b, outputs: [y], options: CodegenOptions(dimensionBindings: ["batch": 1])))
    #expect(error.message.contains("'tokens'") && error.message.contains("'T'"))
    #expect(error.message.contains("--dim T=VALUE"))
  }

  @Test func aBindingNoInputUsesIsAnError() throws {
    let (b, y) = try graph()
    let error = try #require(
      compileError(b, outputs: [y], options: CodegenOptions(dimensionBindings: ["batch": 1, "T": 2, "bacth": 3])))
    #expect(error.message.contains("'bacth'") && error.message.contains("T, batch"))
  }

  @Test func aBindingMustBePositive() throws {
    let (b, y) = try graph()
    let error = try #require(
      compileError(b, outputs: [y], options: CodegenOptions(dimensionBindings: ["batch": 0, "T": 2])))
    #expect(error.message.contains("batch=0"))
  }

  @Test func anUnnamedDynamicDimensionCannotBeBound() throws {
    let b = GraphBuilder()
    let y = try b.value(.unary(.relu), [b.input("f32[?,3]", name: "x")])
    let error = try #require(compileError(b, outputs: [y]))
    #expect(error.message.contains("'x'") && error.message.contains("dim_param"))
  }

  /// Binding re-infers the whole graph: a shape that contradicts the bound value is the offending node's error.
  @Test func aBindingThatContradictsTheModelIsTheNodesError() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,6]")
    let y = try b.value(.reshape(allowZero: false), [x, b.int64s([4, 3])], name: "fixed_reshape")
    #expect(compileError(b, outputs: [y], options: CodegenOptions(dimensionBindings: ["N": 2])) == nil)
    let error = try #require(compileError(b, outputs: [y], options: CodegenOptions(dimensionBindings: ["N": 3])))
    #expect(error.node == "fixed_reshape")
  }
}
