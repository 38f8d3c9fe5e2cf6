import Foundation
import Synchronization
import Testing

@testable import ResRuntime

/// One plan shared by many runners on many threads at once: every run gives bit-identical outputs.
@Suite struct ConcurrencyTests {
  /// A plan large enough that two-thread runners really split their convolution (20 × 24 × 24 outputs of
  /// 27 products each, above `RunContext.parallelWorkThreshold`).
  static func plan() throws -> Plan {
    try SamplePlans.convolutionalClassifier(channels: 20, size: 24, seed: 9).plan()
  }

  static func image(_ seed: UInt64) throws -> Tensor {
    var random = SeededGenerator(seed: seed)
    return try Tensor(random.floats(3 * 24 * 24), shape: [1, 3, 24, 24])
  }

  @Test func theConvolutionIsSplitOverTwoThreads() throws {
    let plan = try Self.plan()
    let conv = try #require(plan.program.steps.first)
    let work = RunContext.work(conv.outputs[0].count, 27)
    #expect(work >= RunContext.parallelWorkThreshold)
  }

  @Test func eightThreadsRunOnePlanAtOnce() async throws {
    let plan = try Self.plan()
    let inputs = try (0..<4).map { ["image": try Self.image(UInt64($0))] }
    let reference = try inputs.map { try Runner(plan).run($0)["probabilities"]?.floats ?? [] }
    #expect(reference.allSatisfy { $0.count == 10 })
    #expect(Set(reference.map { $0.map(\.bitPattern) }).count == 4, "different images give different outputs")
    let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
      for thread in 0..<8 {
        group.addTask {
          // Half the runners split their work over two threads: results must not change.
          let runner = try Runner(plan, threads: 1 + thread % 2)
          var mismatches = 0
          for iteration in 0..<4 {
            let which = (thread + iteration) % inputs.count
            let output = try runner.run(inputs[which])["probabilities"]?.floats ?? []
            if output.map(\.bitPattern) != reference[which].map(\.bitPattern) { mismatches += 1 }
          }
          return mismatches
        }
      }
      return try await group.reduce(0, +)
    }
    #expect(mismatches == 0)
  }

  /// Runs on one runner from several threads take turns on its arena: still identical.
  @Test func oneRunnerSharedByThreads() throws {
    let plan = try Self.plan()
    let runner = try Runner(plan, threads: 2)
    let input = ["image": try Self.image(42)]
    let reference = try runner.run(input)["probabilities"]?.floats ?? []
    let results = Mutex<[[Float]]>([])
    DispatchQueue.concurrentPerform(iterations: 8) { _ in
      for _ in 0..<2 {
        let output = (try? runner.run(input)["probabilities"]?.floats) ?? []
        results.withLock { $0.append(output) }
      }
    }
    let collected = results.withLock { $0 }
    #expect(collected.count == 16)
    #expect(collected.allSatisfy { $0.map(\.bitPattern) == reference.map(\.bitPattern) })
  }
}
