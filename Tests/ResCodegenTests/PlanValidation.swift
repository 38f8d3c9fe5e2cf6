import ResCodegen
import ResPlan

/// What a runtime must be able to rely on in every plan: indices in range, storage inside the arena or the
/// constant section, 64-byte aligned constants, known kernels, one params message per step, and no two buffers
/// alive at the same time sharing bytes unless one is a view of the other (same offset and size).
///
/// Lifetimes are recomputed from the decoded steps (graph inputs from the start, outputs to the end), so the
/// memory plan is checked independently of the planner's own bookkeeping.
enum PlanValidation {
  static func problems(_ plan: DecodedPlan) -> [String] {
    var problems: [String] = []
    let metadata = plan.metadata
    let bufferCount = metadata.buffers.count
    for binding in metadata.inputs + metadata.outputs where Int(binding.buffer) >= bufferCount {
      problems.append("binding '\(binding.name)' names buffer \(binding.buffer) of \(bufferCount)")
    }
    for (index, step) in metadata.steps.enumerated() {
      if KernelID(rawValue: step.kernel) == nil { problems.append("step \(index): unknown kernel \(step.kernel)") }
      if step.params == nil { problems.append("step \(index): no parameters") }
      for buffer in step.inputs + step.outputs where Int(buffer) >= bufferCount {
        problems.append("step \(index) names buffer \(buffer) of \(bufferCount)")
      }
    }
    for (index, buffer) in metadata.buffers.enumerated() {
      let bytes = byteCount(buffer)
      switch buffer.storage {
      case .arenaOffset(let offset):
        if offset % 64 != 0 { problems.append("buffer \(index) at arena offset \(offset) is not 64-byte aligned") }
        if offset + bytes > metadata.arenaBytes { problems.append("buffer \(index) ends past the arena") }
      case .constantOffset(let offset):
        if offset % 64 != 0 { problems.append("constant buffer \(index) at \(offset) is not 64-byte aligned") }
        if offset + bytes > UInt64(plan.constants.count) {
          problems.append("constant buffer \(index) ends past the section")
        }
      case nil:
        problems.append("buffer \(index) has no storage")
      }
    }
    if metadata.arenaBytes > metadata.naiveArenaBytes { problems.append("planned arena exceeds the naive one") }
    return problems + overlapProblems(metadata)
  }

  static func byteCount(_ buffer: Rescompile_Plan_Buffer) -> UInt64 {
    let width: UInt64 =
      switch buffer.dtype {
      case .f64, .i64: 8
      case .f32, .i32: 4
      case .f16: 2
      default: 1
      }
    return UInt64(buffer.shape.reduce(1, *)) * width
  }

  /// Live intervals per arena buffer, from the steps that name it.
  static func lifetimes(_ metadata: Rescompile_Plan_PlanMetadata) -> [ClosedRange<Int>?] {
    var lifetimes = [ClosedRange<Int>?](repeating: nil, count: metadata.buffers.count)
    func touch(_ buffer: UInt32, _ time: Int) {
      let index = Int(buffer)
      guard index < lifetimes.count else { return }
      lifetimes[index] = lifetimes[index].map { min($0.lowerBound, time)...max($0.upperBound, time) } ?? time...time
    }
    for input in metadata.inputs { touch(input.buffer, 0) }
    for (index, step) in metadata.steps.enumerated() {
      for buffer in step.inputs + step.outputs { touch(buffer, index + 1) }
    }
    for output in metadata.outputs { touch(output.buffer, metadata.steps.count + 1) }
    return lifetimes
  }

  private static func overlapProblems(_ metadata: Rescompile_Plan_PlanMetadata) -> [String] {
    let lifetimes = lifetimes(metadata)
    var arena: [(index: Int, start: UInt64, end: UInt64, life: ClosedRange<Int>)] = []
    for (index, buffer) in metadata.buffers.enumerated() {
      guard case .arenaOffset(let offset) = buffer.storage, let life = lifetimes[index] else { continue }
      let bytes = byteCount(buffer)
      if bytes > 0 { arena.append((index, offset, offset + bytes, life)) }
    }
    var problems: [String] = []
    for a in arena.indices {
      for b in arena.indices where b > a {
        let (x, y) = (arena[a], arena[b])
        guard x.start < y.end, y.start < x.end, x.life.overlaps(y.life) else { continue }
        let isView = x.start == y.start && x.end == y.end && viewsOfEachOther(x.index, y.index, metadata)
        if !isView {
          problems.append("buffers \(x.index) and \(y.index) share arena bytes while both are alive")
        }
      }
    }
    return problems
  }

  /// Two buffers of one region: a view is never written by a step nor bound as an input (only its source is),
  /// so two buffers over the same bytes that are both defined that way are two regions, not a view pair.
  private static func viewsOfEachOther(_ a: Int, _ b: Int, _ metadata: Rescompile_Plan_PlanMetadata) -> Bool {
    let defined = Set((metadata.steps.flatMap(\.outputs) + metadata.inputs.map(\.buffer)).map(Int.init))
    return !(defined.contains(a) && defined.contains(b))
  }
}
