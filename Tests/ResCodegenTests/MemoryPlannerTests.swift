import ResCodegen
import ResIR
import ResTestSupport
import Testing

/// The memory planner: regions alive at the same time never share bytes, offsets are 64-byte aligned, and
/// reuse brings the arena below the naive sum.
@Suite struct MemoryPlannerTests {
  typealias Request = MemoryPlanner.Request
  typealias Part = MemoryPlanner.Part

  @Test func regionsThatNeverMeetShareTheSameBytes() {
    let requests = (0..<4).map { Request(byteCount: 1000, lifetime: $0...$0) }
    let plan = MemoryPlanner.plan(requests)
    #expect(plan.offsets == [0, 0, 0, 0])
    #expect(plan.arenaBytes == 1024 && plan.naiveBytes == 4096)
  }

  @Test func regionsAliveTogetherAreStacked() {
    let requests = [Request(byteCount: 100, lifetime: 0...2), Request(byteCount: 200, lifetime: 1...3)]
    let plan = MemoryPlanner.plan(requests)
    #expect(plan.offsets == [256, 0])
    #expect(plan.arenaBytes == 384 && plan.naiveBytes == 384)
  }

  /// ResNet-50's 56x56 chain: a block's input, its residual and its output (3,211,264 bytes each, alive
  /// together) start at different offsets modulo 4 KB, where unstaggered they sat at 0, 3,211,264 and
  /// 6,422,528; a small region takes no stagger.
  @Test func largeRegionsAliveTogetherDoNotShareTheirOffsetModulo4K() {
    let size = 56 * 56 * 256 * 4
    let requests =
      (0..<3).map { _ in Request(byteCount: size, lifetime: 0...2) } + [Request(byteCount: 4096, lifetime: 0...2)]
    let plan = MemoryPlanner.plan(requests)
    #expect(MemoryPlanner.conflicts(requests, offsets: plan.offsets).isEmpty)
    #expect(Set(plan.offsets.prefix(3).map { $0 % 4096 }).count == 3)
    #expect(plan.arenaBytes == 3 * (size + MemoryPlanner.staggerBytes) + 4096)
    #expect(MemoryPlanner.footprint(4096) == 4096 && MemoryPlanner.footprint(0) == 0)
  }

  /// Best fit: a small region goes into the smallest hole that holds it, not the first.
  @Test func aSmallRegionTakesTheSmallestFittingGap() {
    let requests = [
      Request(byteCount: 512, lifetime: 0...9),  // A
      Request(byteCount: 256, lifetime: 0...1),  // B: leaves a hole of 256 once dead
      Request(byteCount: 128, lifetime: 0...9),  // C
      Request(byteCount: 128, lifetime: 0...1),  // D: leaves a hole of 128 once dead
      Request(byteCount: 128, lifetime: 0...9),  // E
      Request(byteCount: 128, lifetime: 5...6),  // F: fits both holes; the 128 one is best
    ]
    let plan = MemoryPlanner.plan(requests)
    #expect(MemoryPlanner.conflicts(requests, offsets: plan.offsets).isEmpty)
    #expect(plan.offsets[5] == plan.offsets[3])
  }

  @Test func zeroByteRegionsTakeNoSpace() {
    let plan = MemoryPlanner.plan([Request(byteCount: 0, lifetime: 0...5), Request(byteCount: 8, lifetime: 0...5)])
    #expect(plan.arenaBytes == 64)
  }

  /// The invariant on thousands of random lifetimes and sizes: no conflict, aligned offsets, arena between
  /// the largest single moment's need and the naive sum.
  @Test(arguments: 0..<40)
  func randomLifetimesNeverConflict(_ seed: Int) {
    var random = SeededGenerator(seed: UInt64(seed))
    let count = Int.random(in: 1...120, using: &random)
    let requests = (0..<count).map { _ -> Request in
      let start = Int.random(in: 0...60, using: &random)
      let length = Int.random(in: 0...20, using: &random)
      let size =
        Bool.random(using: &random)
        ? Int.random(in: 0...256, using: &random) : Int.random(in: 1...100_000, using: &random)
      return Request(byteCount: size, lifetime: start...(start + length))
    }
    let plan = MemoryPlanner.plan(requests)
    #expect(MemoryPlanner.conflicts(requests, offsets: plan.offsets).isEmpty)
    #expect(plan.offsets.allSatisfy { $0 % MemoryPlanner.alignment == 0 })
    #expect(plan.arenaBytes <= plan.naiveBytes)
    let peak =
      (0...80).map { time in
        requests.filter { $0.lifetime.contains(time) }.reduce(0) { $0 + MemoryPlanner.alignedSize($1.byteCount) }
      }.max() ?? 0
    #expect(plan.arenaBytes >= peak)
    for (request, offset) in zip(requests, plan.offsets) {
      #expect(offset + request.byteCount <= plan.arenaBytes)
    }
  }

  /// A Concat's output placed part by part: a region alive only before the second slab's producer runs may
  /// use that slab's bytes.
  @Test func aRegionMayUseASlabBeforeItsProducerRuns() {
    let concat = Request(
      byteCount: 256,
      parts: [
        Part(offset: 0, byteCount: 128, lifetime: 0...9),
        Part(offset: 128, byteCount: 128, lifetime: 5...9),
      ])
    let early = Request(byteCount: 128, lifetime: 1...4)
    let plan = MemoryPlanner.plan([concat, early])
    #expect(plan.offsets == [0, 128] && plan.arenaBytes == 256)
    #expect(MemoryPlanner.conflicts([concat, early], offsets: plan.offsets).isEmpty)
    let late = Request(byteCount: 128, lifetime: 1...6)
    #expect(MemoryPlanner.plan([concat, late]).arenaBytes == 384)
  }

  /// Regions with parts, at unaligned part boundaries, among plain ones: never a conflict, and never a larger
  /// arena than with every region taken whole (one of the ways the planner tries).
  @Test(arguments: 0..<20)
  func randomPartsNeverConflict(_ seed: Int) {
    var random = SeededGenerator(seed: UInt64(seed) + 1000)
    let requests = (0..<Int.random(in: 1...60, using: &random)).map { _ -> Request in
      let start = Int.random(in: 0...40, using: &random)
      let end = start + Int.random(in: 0...20, using: &random)
      let size = Int.random(in: 1...5000, using: &random)
      guard Bool.random(using: &random) else { return Request(byteCount: size, lifetime: start...end) }
      let cut = Int.random(in: 0...size, using: &random) / 4 * 4
      let first = Part(offset: 0, byteCount: cut, lifetime: start...end)
      let second = Part(offset: cut, byteCount: size - cut, lifetime: Int.random(in: start...end, using: &random)...end)
      return Request(byteCount: size, parts: [first, second, Part(offset: 0, byteCount: size, lifetime: end...end)])
    }
    let plan = MemoryPlanner.plan(requests)
    #expect(MemoryPlanner.conflicts(requests, offsets: plan.offsets).isEmpty)
    #expect(plan.offsets.allSatisfy { $0 % MemoryPlanner.alignment == 0 })
    #expect(plan.arenaBytes <= plan.naiveBytes)
    let whole = requests.map { Request(byteCount: $0.byteCount, lifetime: $0.lifetime) }
    #expect(plan.arenaBytes <= MemoryPlanner.plan(whole).arenaBytes)
  }

  @Test func plannerIsDeterministic() {
    var random = SeededGenerator(seed: 99)
    let requests = (0..<200).map { _ -> Request in
      let start = Int.random(in: 0...100, using: &random)
      return Request(byteCount: Int.random(in: 1...4096, using: &random), lifetime: start...(start + 7))
    }
    #expect(MemoryPlanner.plan(requests) == MemoryPlanner.plan(requests))
  }

  /// A view keeps its source's bytes alive until the view's last reader.
  @Test func viewsExtendTheLifetimeOfTheirSource() throws {
    let b = GraphBuilder()
    let x = b.input("f32[4,16]")
    let a = try b.value(.unary(.relu), [x], name: "a")
    let view = try b.value(.reshape(allowZero: false), [a, b.int64s([64])], name: "view")
    let c = try b.value(.unary(.sigmoid), [x], name: "c")
    let d = try b.value(.unary(.tanh), [c], name: "d")
    let e = try b.value(
      .binary(.add), [view, try b.value(.reshape(allowZero: false), [d, b.int64s([64])])], name: "e")
    let (_, plan) = try compile(b, outputs: [e])
    let relu = try #require(plan.steps.first { $0.name == "a" })
    let tanh = try #require(plan.steps.first { $0.name == "d" })
    // `a` is read through its view by the last step, so `d` may not take its bytes.
    #expect(plan.buffer(relu.outputs[0]).arenaOffset != plan.buffer(tanh.outputs[0]).arenaOffset)
  }

  /// Ten steps in a chain take two buffers in turn, beside the input's (kept for the whole run, see the next
  /// test): three where the naive arena has eleven.
  @Test func plannedArenaIsSmallerThanNaiveOnAChain() throws {
    let b = GraphBuilder()
    var value = b.input("f32[256]")
    for index in 0..<10 { value = try b.value(.unary(.relu), [value], name: "relu\(index)") }
    let (generated, plan) = try compile(b, outputs: [value])
    #expect(plan.metadata.naiveArenaBytes == 11 * 1024)
    #expect(plan.metadata.arenaBytes == 3 * 1024)
    #expect(generated.summary.arenaBytes == 3 * 1024 && generated.summary.naiveArenaBytes == 11 * 1024)
  }

  /// No step writes a byte of a graph input's range, even after the input's last reader: the runtime then reads
  /// the input from the caller's memory instead of copying it into the arena every run (`InPlaceBindings`).
  @Test func noStepWritesOverAGraphInput() throws {
    let b = GraphBuilder()
    let x = b.input("f32[256]")
    let y = b.input("f32[256]")
    var value = try b.value(.binary(.add), [x, y], name: "sum")
    for index in 0..<4 { value = try b.value(.unary(.relu), [value], name: "relu\(index)") }
    let (_, plan) = try compile(b, outputs: [value])
    let inputRanges = try plan.metadata.inputs.map { try #require(PlanValidation.arenaRange(plan.buffer($0.buffer))) }
    #expect(inputRanges.count == 2)
    for step in plan.steps {
      for output in step.outputs {
        let range = try #require(PlanValidation.arenaRange(plan.buffer(output)))
        #expect(inputRanges.allSatisfy { !$0.overlaps(range) }, "\(step.name) writes over an input")
      }
    }
  }
}

