import ResPlan

/// Replays a plan's writes over arena byte ranges and checks every read against them: what a plan's memory
/// layout must guarantee, recomputed from the decoded file alone.
///
/// A buffer is *defined* when a step writes it or a graph input is bound to it; the others are views (a
/// Reshape's result, a Concat's output whose operands were computed in place, or a part of one). Graph inputs
/// are written before the first step; each step reads its inputs, then writes its outputs; graph outputs are
/// read after the last step. A read is correct when every byte of the buffer was written, and
/// - for a defined buffer, last by that buffer itself (nothing overwrote it since);
/// - for a view, last by buffers that lie inside it (the values it is made of, not a stranger's).
/// A copy that writes only part of its output is counted as writing all of it (a Concat with strided copies).
enum ArenaReplay {
  /// A byte range and the buffer that wrote it last.
  private struct Segment {
    var range: Range<UInt64>
    var writer: Int
  }

  static func problems(_ metadata: Rescompile_Plan_PlanMetadata) -> [String] {
    let ranges = metadata.buffers.map(PlanValidation.arenaRange)
    var defined = [Bool](repeating: false, count: ranges.count)
    for index in metadata.steps.flatMap(\.outputs) + metadata.inputs.map(\.buffer) where Int(index) < ranges.count {
      defined[Int(index)] = true
    }
    var segments: [Segment] = []
    var problems: [String] = []
    func read(_ buffer: UInt32, _ site: String) {
      guard let problem = readProblem(Int(buffer), ranges, defined, segments) else { return }
      problems.append("\(site) reads buffer \(buffer): \(problem)")
    }
    for input in metadata.inputs { write(Int(input.buffer), ranges, &segments) }
    for (index, step) in metadata.steps.enumerated() {
      for input in step.inputs { read(input, "step \(index)") }
      for output in step.outputs { write(Int(output), ranges, &segments) }
    }
    for output in metadata.outputs { read(output.buffer, "graph output '\(output.name)'") }
    return problems
  }

  private static func write(_ buffer: Int, _ ranges: [Range<UInt64>?], _ segments: inout [Segment]) {
    guard ranges.indices.contains(buffer), let range = ranges[buffer] else { return }
    var kept: [Segment] = []
    for segment in segments {
      guard segment.range.overlaps(range) else {
        kept.append(segment)
        continue
      }
      if segment.range.lowerBound < range.lowerBound {
        kept.append(Segment(range: segment.range.lowerBound..<range.lowerBound, writer: segment.writer))
      }
      if range.upperBound < segment.range.upperBound {
        kept.append(Segment(range: range.upperBound..<segment.range.upperBound, writer: segment.writer))
      }
    }
    kept.append(Segment(range: range, writer: buffer))
    segments = kept.sorted { $0.range.lowerBound < $1.range.lowerBound }
  }

  private static func readProblem(
    _ buffer: Int, _ ranges: [Range<UInt64>?], _ defined: [Bool], _ segments: [Segment]
  ) -> String? {
    guard ranges.indices.contains(buffer), let range = ranges[buffer] else { return nil }
    var written: UInt64 = 0
    for segment in segments where segment.range.overlaps(range) {
      let overlap = segment.range.clamped(to: range)
      written += overlap.upperBound - overlap.lowerBound
      guard segment.writer != buffer else { continue }
      guard !defined[buffer], let writerRange = ranges[segment.writer] else {
        return "bytes \(overlap) were overwritten by buffer \(segment.writer)"
      }
      guard range.lowerBound <= writerRange.lowerBound, writerRange.upperBound <= range.upperBound else {
        return "bytes \(overlap) hold buffer \(segment.writer), which is not part of it"
      }
    }
    return written == range.upperBound - range.lowerBound ? nil : "some of its bytes were never written"
  }
}
