import ResIR

extension GraphLowering {
  /// One strided copy per non-empty operand into its place in the output, recorded as a `PendingConcat` so that
  /// `ConcatAliasing` can later drop the copies of operands it computes straight into the output. The output is
  /// live from the first copy.
  mutating func lowerConcat(_ node: Node, axis: Int) throws(ModelError) {
    let y = try result(node)
    let outputDims = try dims(of: y)
    guard outputDims.indices.contains(axis) else { throw ModelError(node, "axis \(axis) is out of range") }
    let target = try resultTensor(y)
    // Storage strides: a Concat in a channels-last region copies channels-last operands into a channels-last
    // output (then `ConcatAliasing` keeps the copies: a channel slab is not one range of bytes).
    let outputStrides = StridedCopy.storageStrides(builder[target])
    guard let region = builder[target].arenaRegion else {
      throw ModelError(node, "the output is not an arena tensor (a ResCodegen bug)")
    }
    var concat = PendingConcat(name: node.name, output: target, outputRegion: region, axis: axis, operands: [])
    var position = 0
    for (slot, input) in node.inputs.enumerated() {
      guard let input else { continue }
      let pieceDims = try dims(of: input)
      let elementOffset = position * outputStrides[axis]
      position += pieceDims[axis]
      guard !pieceDims.contains(0) else { continue }
      let source = try operandTensor(node, slot)
      let params = StridedCopy.params(
        shape: pieceDims, sourceStrides: StridedCopy.storageStrides(builder[source]), targetOffset: elementOffset,
        targetStrides: outputStrides)
      let step = appendStep(
        PlanStep(name: node.name, kernel: .copy, inputs: [source], outputs: [target], params: .copy(params)))
      concat.operands.append(
        PendingConcat.Operand(slot: slot, tensor: source, elementOffset: elementOffset, step: step))
    }
    if !builder[target].isEmpty { record(concat) }
  }
}
