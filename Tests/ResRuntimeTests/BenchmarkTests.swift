import Testing

@testable import ResRuntime

/// `Benchmark`, `TimingStatistics` and `SeededTensors`: what `rescompile bench` reports and feeds.
@Suite struct BenchmarkTests {
  @Test func statisticsOfKnownSamples() {
    let odd = TimingStatistics(milliseconds: [5, 1, 4, 2, 3])
    #expect(odd.median == 3 && odd.minimum == 1 && odd.maximum == 5 && odd.mean == 3)
    #expect(odd.p90 == 5)
    #expect(odd.samples == [5, 1, 4, 2, 3], "samples stay in run order")
    let even = TimingStatistics(milliseconds: [4, 1, 3, 2])
    #expect(even.median == 2.5)
    let ten = TimingStatistics(milliseconds: (1...10).map(Double.init))
    #expect(ten.p90 == 9, "nearest rank: 9 of the 10 samples are at most 9")
    let empty = TimingStatistics(milliseconds: [])
    #expect(empty.median == 0 && empty.p90 == 0)
  }

  @Test func measuresTheRequestedRuns() throws {
    let runner = try Runner(try RunnerTests.reluPlan())
    let inputs = ["x": try Tensor([-1, 2, -3, 4, -5, 6] as [Float], shape: [2, 3])]
    let statistics = try Benchmark(warmup: 2, iterations: 5).measure(runner, inputs: inputs)
    #expect(statistics.samples.count == 5)
    #expect(statistics.samples.allSatisfy { $0 >= 0 })
    #expect(statistics.minimum <= statistics.median && statistics.median <= statistics.maximum)
  }

  @Test func badInputsAreReportedNotTimed() throws {
    let runner = try Runner(try RunnerTests.reluPlan())
    #expect(throws: RuntimeError.self) { try Benchmark(warmup: 0, iterations: 1).measure(runner, inputs: [:]) }
  }

  @Test func seededTensorsAreDeterministicAndInRange() throws {
    let inputs = [
      TensorDescription(name: "x", elementType: .f32, shape: [2, 50]),
      TensorDescription(name: "i", elementType: .i64, shape: [40]),
      TensorDescription(name: "b", elementType: .bool, shape: [40]),
      TensorDescription(name: "h", elementType: .f16, shape: [8]),
    ]
    let first = try SeededTensors.make(for: inputs, seed: 7)
    let again = try SeededTensors.make(for: inputs, seed: 7)
    let other = try SeededTensors.make(for: inputs, seed: 8)
    let floats = try #require(first["x"]?.floats)
    #expect(floats == again["x"]?.floats)
    #expect(floats != other["x"]?.floats)
    #expect(floats.allSatisfy { (-1..<1).contains($0) })
    #expect(Set(floats).count > 90, "values vary")
    #expect(try #require(first["i"]).scalars(as: Int64.self).allSatisfy { (0..<3).contains($0) })
    #expect(Set(try #require(first["b"]?.floats)) == [0, 1])
    #expect(try #require(first["h"]?.floats).allSatisfy { (-1...1).contains($0) })
    #expect(first["h"]?.shape == [8] && first["h"]?.elementType == .f16)
  }
}
