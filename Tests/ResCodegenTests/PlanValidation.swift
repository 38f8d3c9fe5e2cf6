import ResCodegen
import ResPlan

/// What a runtime must be able to rely on in every plan: indices in range, storage inside the arena or the
/// constant section, 64-byte aligned constants and outermost arena buffers, known kernels, one params message
/// per step, and every value read holding the bytes its writer wrote (`ArenaReplay`).
///
/// The arena is checked by replaying the steps over byte ranges, independently of the memory planner's own
/// bookkeeping (lifetimes, nesting of Concat operands).
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
        if offset % max(width(buffer), 1) != 0 {
          problems.append("buffer \(index) at arena offset \(offset) is not aligned to its element width")
        }
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
    return problems + alignmentProblems(metadata) + ArenaReplay.problems(metadata)
  }

  static func byteCount(_ buffer: Rescompile_Plan_Buffer) -> UInt64 {
    UInt64(buffer.shape.reduce(1, *)) * width(buffer)
  }

  static func width(_ buffer: Rescompile_Plan_Buffer) -> UInt64 {
    switch buffer.dtype {
    case .f64, .i64: 8
    case .f32, .i32: 4
    case .f16: 2
    default: 1
    }
  }

  /// The arena range of a non-empty arena buffer.
  static func arenaRange(_ buffer: Rescompile_Plan_Buffer) -> Range<UInt64>? {
    guard case .arenaOffset(let offset) = buffer.storage, byteCount(buffer) > 0 else { return nil }
    return offset..<(offset + byteCount(buffer))
  }

  /// The memory planner places regions at multiples of 64; only a buffer nested in another (a Concat operand
  /// in its slab) may start elsewhere.
  private static func alignmentProblems(_ metadata: Rescompile_Plan_PlanMetadata) -> [String] {
    let ranges = metadata.buffers.map(arenaRange)
    var problems: [String] = []
    for (index, range) in ranges.enumerated() {
      guard let range, range.lowerBound % 64 != 0 else { continue }
      let nested = ranges.indices.contains { other in
        guard other != index, let outer = ranges[other] else { return false }
        return outer.lowerBound <= range.lowerBound && range.upperBound <= outer.upperBound && outer != range
      }
      if !nested { problems.append("buffer \(index) at arena offset \(range.lowerBound) is not 64-byte aligned") }
    }
    return problems
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
}
