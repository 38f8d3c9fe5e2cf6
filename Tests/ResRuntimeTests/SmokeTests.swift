import ResPlan
import Testing

@testable import ResRuntime

@Suite struct SmokeTests {
  @Test func reluOfAnInput() throws {
    var builder = PlanBuilder()
    let x = builder.arena("x", .f32, [2, 3])
    let y = builder.arena("y", .f32, [2, 3])
    builder.input("x", x)
    builder.output("y", y)
    var params = Rescompile_Plan_UnaryParams()
    params.kind = .relu
    builder.step(.unary, inputs: [x], outputs: [y], .unary(params))
    let runner = try Runner(try builder.plan())
    let result = try runner.run(["x": try Tensor([-1, 2, -3, 4, 0, -0.5] as [Float], shape: [2, 3])])
    #expect(result["y"]?.floats == [0, 2, 0, 4, 0, 0])
  }
}
