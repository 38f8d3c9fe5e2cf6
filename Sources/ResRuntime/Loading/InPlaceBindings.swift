/// Which graph inputs a run may read straight from the caller's memory, and which graph outputs it may
/// compute straight into the caller's memory, decided once when the plan loads.
///
/// An input can be read in place when no step writes any byte of its arena range and every buffer that
/// touches that range lies entirely inside it (the input itself and its reshaped views): those buffers then
/// hold exactly the caller's bytes for the whole run, so they can be pointed at the caller's memory instead.
/// An output can be written in place when its buffer is written by a step and no other buffer shares any of
/// its bytes, and it is not a graph input or bound to two output names. Otherwise the run copies.
struct InPlaceBindings: Sendable {
  /// Per graph input: the buffers to point into the caller's memory, with their byte offsets from the
  /// input's start; nil when the input must be copied into the arena.
  let inputViews: [[(buffer: Int, offset: Int)]?]
  /// Per graph output: whether its buffer may be pointed at the caller's memory.
  let outputWritable: [Bool]

  init(buffers: [PlanBuffer], steps: [Program.Step], inputs: [Program.Binding], outputs: [Program.Binding]) {
    var written = [Bool](repeating: false, count: buffers.count)
    for step in steps {
      for output in step.outputs { written[output.index] = true }
    }
    inputViews = InPlaceBindings.inputViews(buffers: buffers, written: written, inputs: inputs)
    outputWritable = InPlaceBindings.outputWritable(
      buffers: buffers, written: written, inputs: inputs, outputs: outputs)
  }

  /// Sorts the inputs by start (they are disjoint, validated), then visits each buffer once, finding the
  /// inputs it touches by binary search: O(buffers · log inputs) even for a hostile plan.
  private static func inputViews(
    buffers: [PlanBuffer], written: [Bool], inputs: [Program.Binding]
  ) -> [[(buffer: Int, offset: Int)]?] {
    // Empty inputs have nothing to bind (and would break the ordering the searches rely on).
    let order = inputs.indices.filter { inputs[$0].buffer.byteCount > 0 }
      .sorted { inputs[$0].buffer.byteRangeStart < inputs[$1].buffer.byteRangeStart }
    let ranges = order.map { inputs[$0].buffer.arenaRange ?? 0..<0 }
    var blocked = [Bool](repeating: false, count: order.count)
    var views = [[(buffer: Int, offset: Int)]](repeating: [], count: order.count)
    // A difference array over sorted positions marks runs of inputs a wide buffer blocks.
    var blockedRuns = [Int](repeating: 0, count: order.count + 1)
    for buffer in buffers {
      guard let range = buffer.arenaRange, !range.isEmpty else { continue }
      let first = firstIndex(in: ranges) { $0.upperBound > range.lowerBound }
      let end = firstIndex(in: ranges) { $0.lowerBound >= range.upperBound }
      guard first < end else { continue }
      let position = first
      if end - first == 1, !written[buffer.index], ranges[position].contains(range.lowerBound),
        range.upperBound <= ranges[position].upperBound
      {
        views[position].append((buffer.index, range.lowerBound - ranges[position].lowerBound))
      } else {
        blockedRuns[first] += 1
        blockedRuns[end] -= 1
      }
    }
    var running = 0
    for position in 0..<order.count {
      running += blockedRuns[position]
      if running > 0 { blocked[position] = true }
    }
    var result = [[(buffer: Int, offset: Int)]?](repeating: nil, count: inputs.count)
    for (position, input) in order.enumerated() where !blocked[position] {
      result[input] = views[position]
    }
    return result
  }

  /// The first index whose range satisfies `predicate`, for a predicate that is false then true along the
  /// sorted ranges.
  private static func firstIndex(in ranges: [Range<Int>], where predicate: (Range<Int>) -> Bool) -> Int {
    var low = 0
    var high = ranges.count
    while low < high {
      let middle = (low + high) / 2
      if predicate(ranges[middle]) { high = middle } else { low = middle + 1 }
    }
    return low
  }

  /// Finds, for each output buffer, whether any other buffer overlaps it, from the buffers sorted by start
  /// with the two largest ends seen so far: O(buffers · log buffers).
  private static func outputWritable(
    buffers: [PlanBuffer], written: [Bool], inputs: [Program.Binding], outputs: [Program.Binding]
  ) -> [Bool] {
    let placed = buffers.compactMap { buffer in buffer.arenaRange.flatMap { $0.isEmpty ? nil : (buffer.index, $0) } }
      .sorted { $0.1.lowerBound < $1.1.lowerBound }
    // For each prefix of `placed`: the largest end with its buffer, and the largest end of any other buffer.
    var top: [(end: Int, buffer: Int)] = []
    var second: [Int] = []
    var best = (end: Int.min, buffer: -1)
    var runnerUp = Int.min
    for (index, range) in placed {
      if range.upperBound > best.end {
        runnerUp = best.end
        best = (range.upperBound, index)
      } else {
        runnerUp = max(runnerUp, range.upperBound)
      }
      top.append(best)
      second.append(runnerUp)
    }
    let inputBuffers = Set(inputs.map(\.buffer.index))
    var boundCount: [Int: Int] = [:]
    for output in outputs { boundCount[output.buffer.index, default: 0] += 1 }
    return outputs.map { output in
      let buffer = output.buffer
      guard let range = buffer.arenaRange, !range.isEmpty, written[buffer.index],
        !inputBuffers.contains(buffer.index), boundCount[buffer.index] == 1
      else { return false }
      // Buffers starting before this one ends: placed[0..<prefix] (this buffer is among them).
      var low = 0
      var high = placed.count
      while low < high {
        let middle = (low + high) / 2
        if placed[middle].1.lowerBound < range.upperBound { low = middle + 1 } else { high = middle }
      }
      let prefix = low - 1
      let otherEnd = top[prefix].buffer == buffer.index ? second[prefix] : top[prefix].end
      return otherEnd <= range.lowerBound
    }
  }
}

extension PlanBuffer {
  /// Start of the arena range (constants sort first; they are never graph inputs).
  fileprivate var byteRangeStart: Int { arenaRange?.lowerBound ?? -1 }
}
