import ResCodegen
import ResIR
import ResPlan
import ResTestSupport
import Testing

/// MaxPool, AveragePool, GlobalAveragePool, ReduceMean and Softmax.
@Suite struct PoolingAndReductionLoweringTests {
  @Test func maxPoolWithSamePadding() throws {
    let b = GraphBuilder()
    let attributes = PoolAttributes(
      kernelShape: [3, 3], strides: [2, 2], dilations: [1, 1], padding: .sameUpper, ceilMode: false)
    let y = try b.value(.maxPool(attributes), [b.input("f32[1,2,8,8]")])
    let (_, plan) = try compile(b, outputs: [y])
    let pool = try #require(plan.steps(.f32Pool).first).pool
    #expect(pool.kind == .max && pool.kernelShape == [3, 3] && pool.strides == [2, 2] && pool.dilations == [1, 1])
    #expect(pool.pads == [0, 0, 1, 1] && !pool.ceilMode)
    #expect(plan.output().shape == [1, 2, 4, 4])
  }

  @Test func averagePoolKeepsCeilModeAndCountIncludePad() throws {
    let b = GraphBuilder()
    let attributes = PoolAttributes(
      kernelShape: [2, 2], strides: [2, 2], dilations: [1, 1], padding: .explicit([1, 1, 0, 0]), ceilMode: true,
      countIncludePad: true)
    // 6 + 1 padded, windows of 2 every 2: three windows in floor mode, four in ceil mode.
    let y = try b.value(.averagePool(attributes), [b.input("f32[1,1,6,6]")])
    let (_, plan) = try compile(b, outputs: [y])
    let pool = try #require(plan.steps(.f32Pool).first).pool
    #expect(pool.kind == .average && pool.ceilMode && pool.countIncludePad && pool.pads == [1, 1, 0, 0])
    #expect(plan.output().shape == [1, 1, 4, 4])
  }

  @Test func globalAveragePool() throws {
    let b = GraphBuilder()
    let y = try b.value(.globalAveragePool, [b.input("f32[1,4,3,3]")])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(try #require(plan.steps(.f32Pool).first).pool.kind == .globalAverage)
    #expect(plan.output().shape == [1, 4, 1, 1])
  }

  @Test func integerMaxPoolIsAClearError() throws {
    let b = GraphBuilder()
    let attributes = PoolAttributes(
      kernelShape: [2], strides: [2], dilations: [1], padding: .explicit([0, 0]), ceilMode: false)
    let y = try b.value(.maxPool(attributes), [b.input("u8[1,1,4]")], name: "byte_pool")
    let error = try #require(compileError(b, outputs: [y]))
    #expect(error.node == "byte_pool" && error.message.contains("uint8"))
  }

  @Test func reduceMeanListsItsAxes() throws {
    let b = GraphBuilder()
    let x = b.input("f32[2,3,4]")
    let all = try b.value(.reduceMean(axes: nil, keepDims: false), [x], name: "all")
    let last = try b.value(.reduceMean(axes: [2], keepDims: true), [x], name: "last")
    let (_, plan) = try compile(b, outputs: [all, last])
    #expect(plan.steps(.f32ReduceMean).map(\.reduceMean.axes) == [[0, 1, 2], [2]])
    #expect(plan.output(0).shape == [] && plan.output(1).shape == [2, 3, 1])
  }

  @Test func reduceMeanOverNoAxesIsAView() throws {
    let b = GraphBuilder()
    let y = try b.value(.reduceMean(axes: [], keepDims: true), [b.input("f32[2,3]")])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.steps.isEmpty)
  }

  @Test func softmaxAxis() throws {
    let b = GraphBuilder()
    let y = try b.value(.softmax(axis: 2, coerced2D: false), [b.input("f32[2,3,4]")])
    let (_, plan) = try compile(b, outputs: [y])
    let softmax = try #require(plan.steps(.f32Softmax).first).softmax
    #expect(softmax.axis == 2 && !softmax.coerced2D)
  }

  @Test func float64SoftmaxRunsInFloat32() throws {
    let b = GraphBuilder()
    let y = try b.value(.softmax(axis: 1, coerced2D: true), [b.input("f64[2,3]")])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.kernels == ["cast", "f32_softmax", "cast"])
    #expect(plan.steps[1].softmax.coerced2D)
    #expect(plan.output().dtype == .f64)
  }
}
