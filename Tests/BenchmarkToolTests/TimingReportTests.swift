import Foundation
import Testing

@testable import rescompile_benchmark

/// The statistics and the JSON a driver reads: the keys `rescompile bench --format json` promises
/// (DESIGN.md §8) must be there with the values the statistics give.
@Suite struct TimingReportTests {
  @Test func statisticsOfAnOddCount() throws {
    let statistics = try #require(SampleStatistics([5, 1, 4, 2, 3]))
    #expect(statistics.median == 3)
    #expect(statistics.minimum == 1)
    #expect(statistics.maximum == 5)
    #expect(statistics.lowerQuartile == 2)
    #expect(statistics.upperQuartile == 4)
    #expect(statistics.mean == 3)
  }

  @Test func statisticsInterpolateBetweenSamples() throws {
    let statistics = try #require(SampleStatistics([10, 40, 20, 30]))
    #expect(statistics.median == 25)
    #expect(statistics.lowerQuartile == 17.5)
    #expect(statistics.upperQuartile == 32.5)
  }

  @Test func noSamplesHaveNoStatistics() {
    #expect(SampleStatistics([]) == nil)
  }

  @Test func jsonCarriesTheBenchContractKeys() throws {
    let times = [3.0, 1.0, 2.0]
    let report = try #require(
      TimingReport(
        options: TimingOptions(plan: "m.resplan", threads: 2, warmup: 1, iterations: 3),
        samples: RunSamples(wall: times, cpu: [2.5, 0.5, 1.5]), loadMilliseconds: 7, runnerMilliseconds: 0.5,
        buildISA: "avx2"))
    let line = report.rendered(as: .json)
    #expect(line.hasSuffix("\n"))
    #expect(line.filter { $0 == "\n" }.count == 1)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    #expect(object["median_ms"] as? Double == 2)
    #expect(object["min_ms"] as? Double == 1)
    #expect(object["max_ms"] as? Double == 3)
    #expect(object["iterations"] as? Int == 3)
    #expect(object["threads"] as? Int == 2)
    #expect(object["load_ms"] as? Double == 7)
    #expect(object["build_isa"] as? String == "avx2")
    #expect(object["samples_ms"] as? [Double] == times)
    #expect(object["cpu_median_ms"] as? Double == 1.5)
    #expect(object["cpu_min_ms"] as? Double == 0.5)
  }

  @Test func noRunsGiveNoReport() {
    let report = TimingReport(
      options: TimingOptions(plan: "m.resplan"), samples: RunSamples(), loadMilliseconds: 1, runnerMilliseconds: 1,
      buildISA: "avx2")
    #expect(report == nil)
  }

  @Test func textNamesMedianAndSpread() throws {
    let report = try #require(
      TimingReport(
        options: TimingOptions(plan: "m.resplan"), samples: RunSamples(wall: [1, 2, 3], cpu: [1, 1, 1]),
        loadMilliseconds: 7, runnerMilliseconds: 0.5, buildISA: "avx2"))
    let text = report.rendered(as: .text)
    #expect(text.contains("median 2.000 ms, min 1.000 ms, max 3.000 ms"))
    #expect(text.contains("3 runs after 3 warm-up, 1 thread"))
    #expect(text.contains("process CPU time per run: median 1.000 ms"))
  }

  @Test func peakReportTakesTheBestAndTheMedian() throws {
    let samples = [PeakSample(wall: 50, cpu: 90), PeakSample(wall: 80, cpu: 95), PeakSample(wall: 20, cpu: 85)]
    let report = PeakReport(options: PeakOptions(threads: 1, repeats: 3), samples: samples, buildISA: "avx2")
    #expect(report.bestGFLOPS == 80)
    #expect(report.medianGFLOPS == 50)
    #expect(report.cpuBestGFLOPS == 95)
    #expect(report.cpuMedianGFLOPS == 90)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(report.rendered(as: .json).utf8)) as? [String: Any])
    #expect(object["best_gflops"] as? Double == 80)
    #expect(object["cpu_best_gflops"] as? Double == 95)
    #expect(object["lanes"] as? Int == FMAPeak.lanes)
  }

  @Test func serveAcceptsOnlyCountsInRange() {
    #expect(ServeLoop.requestedRuns("5") == 5)
    #expect(ServeLoop.requestedRuns(" 12 ") == 12)
    for line in ["", "0", "-3", "five", "1000001", "2.5"] {
      #expect(ServeLoop.requestedRuns(line) == nil, "'\(line)'")
    }
  }

  @Test func seededInputsAreReproducibleAndInRange() {
    var first = SplitMix64(seed: 42)
    var second = SplitMix64(seed: 42)
    let values = (0..<1000).map { _ in first.nextSigned() }
    #expect(values == (0..<1000).map { _ in second.nextSigned() })
    #expect(values.allSatisfy { $0 >= -1 && $0 < 1 })
    #expect(Set(values).count > 900)
    var halves = SplitMix64(seed: 7)
    for _ in 0..<1000 {
      let exponent = (halves.nextHalfBits() >> 10) & 0x1F
      #expect((12...14).contains(exponent))
    }
  }
}
