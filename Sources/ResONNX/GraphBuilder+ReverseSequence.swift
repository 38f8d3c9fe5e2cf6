import ResIR

/// ONNX ReverseSequence as Slices with a step of -1 and Concats.
///
/// tf2onnx writes the backward half of every Keras `Bidirectional` recurrent layer this way: reverse the
/// sequence, run the (unrolled) loop, reverse it back. With the lengths known when compiling (they are the
/// sequence length, written as a constant), each batch entry's first `length` steps are one reversed Slice and
/// the rest one plain Slice; a batch of one whose whole sequence is reversed (the common case) is a single
/// Slice. Lengths that depend on the input values are refused: they decide which elements move where.
extension GraphBuilder {
  mutating func convertReverseSequence(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let input = try node.requiredOperand(0, "input")
    let type = graph.type(of: input)
    guard type.rank >= 2, let dims = type.knownDims else {
      throw node.error("input must have rank 2 or more and known dimensions, got \(type)")
    }
    let batchAxis = try node.attributes.int("batch_axis", default: 1)
    let timeAxis = try node.attributes.int("time_axis", default: 0)
    guard [batchAxis, timeAxis].sorted() == [0, 1] else {
      throw node.error("batch_axis and time_axis must be 0 and 1 in some order, got \(batchAxis) and \(timeAxis)")
    }
    let lengthsValue = try node.requiredOperand(1, "sequence_lens")
    let lengths = try constantIntegers(lengthsValue, operand: "sequence_lens", of: node)
    let (batch, steps) = (dims[batchAxis], dims[timeAxis])
    guard lengths.count == batch else {
      throw node.error("sequence_lens has \(lengths.count) entries for a batch of \(batch)")
    }
    if let bad = lengths.first(where: { !(1...max(1, steps)).contains($0) }) {
      throw node.error("sequence length \(bad) is outside 1...\(steps)")
    }
    if batch == 1 && lengths[0] == steps { return reversedSlice(input, steps: steps, timeAxis: timeAxis, node) }
    var entries: [ValueID?] = []
    for (entry, length) in lengths.enumerated() {
      let row = try slice(input, axis: batchAxis, entry..<(entry + 1), "entry\(entry)", node)
      let reversed = reversedSlice(row, steps: length, timeAxis: timeAxis, node)
      var parts: [ValueID?] = [try appendTyped(reversed, named: "\(node.name).entry\(entry)_reversed")]
      if length < steps { parts.append(try slice(row, axis: timeAxis, length..<steps, "entry\(entry)_rest", node)) }
      entries.append(parts.count == 1 ? parts[0] : try step(.concat(axis: timeAxis), parts, "entry\(entry)", of: node))
    }
    return Conversion(.concat(axis: batchAxis), entries)
  }

  /// Steps `length - 1` down to 0 of `input` along `timeAxis`.
  private mutating func reversedSlice(_ input: ValueID, steps length: Int, timeAxis: Int, _ node: ONNXNode)
    -> Conversion
  {
    Conversion(.slice, [
      input, addIntegers([length - 1], named: "\(node.name)_last"),
      addIntegers([Int.min], named: "\(node.name)_before_first"), addIntegers([timeAxis], named: "\(node.name)_time_axis"),
      addIntegers([-1], named: "\(node.name)_backwards"),
    ])
  }

  private mutating func slice(
    _ input: ValueID, axis: Int, _ range: Range<Int>, _ suffix: String, _ node: ONNXNode
  ) throws(ModelError) -> ValueID {
    let operands: [ValueID?] = [
      input, addIntegers([range.lowerBound], named: "\(node.name)_\(suffix)_start"),
      addIntegers([range.upperBound], named: "\(node.name)_\(suffix)_end"),
      addIntegers([axis], named: "\(node.name)_\(suffix)_axis"),
    ]
    return try step(.slice, operands, suffix, of: node)
  }
}
