import ResIR
import ResPlan

/// Transpose, Slice, Expand and Split: strided `copy` steps (CopyParams), one per Split output, each writing where
/// its piece belongs (Concat, the other way round, is `ConcatLowering`). Any element type: only the element width
/// matters.
///
/// Shape operands (Slice's starts, ends, axes and steps) must be constants by now: compile-time evaluation
/// folded every shape computation a static plan can know.
extension GraphLowering {
  mutating func lowerTranspose(_ node: Node, perm: [Int]) throws(ModelError) {
    // A MatMul reads or writes this transpose in place.
    guard !matMulTransposes.isAbsorbed(node) else { return }
    let x = try required(node, 0, "data")
    let y = try result(node)
    let inputDims = try dims(of: x)
    let order = perm.isEmpty ? Array(inputDims.indices.reversed()) : perm
    let inputStrides = StridedCopy.rowMajorStrides(inputDims)
    let outputDims = try dims(of: y)
    let params = StridedCopy.params(
      shape: outputDims, sourceStrides: order.map { inputStrides[$0] },
      targetStrides: StridedCopy.rowMajorStrides(outputDims))
    try emit(node, .copy, .copy(params), inputs: [.value(x)], outputs: [.value(y)])
  }

  mutating func lowerSlice(_ node: Node) throws(ModelError) {
    _ = try required(node, 0, "data")
    let y = try result(node)
    // In a channels-last region the input and the result are stored channels-last: the copy walks the same
    // logical indices at their storage strides.
    let source = try operandTensor(node, 0)
    let inputDims = builder[source].dims
    let inputStrides = StridedCopy.storageStrides(builder[source])
    guard let starts = constantOperand(node, 1)?.integers(), let ends = constantOperand(node, 2)?.integers() else {
      throw ModelError(node, "starts and ends are computed at run time; a plan needs them when compiling")
    }
    let axes = try optionalConstantIntegers(node, 3, "axes") ?? Array(starts.indices)
    let steps = try optionalConstantIntegers(node, 4, "steps") ?? [Int](repeating: 1, count: starts.count)
    guard ends.count == starts.count, axes.count == starts.count, steps.count == starts.count else {
      throw ModelError(node, "starts, ends, axes and steps have different lengths")
    }
    var offset = 0
    var strides = inputStrides
    for (index, axis) in axes.enumerated() {
      let axis = axis < 0 ? axis + inputDims.count : axis
      guard inputDims.indices.contains(axis) else { throw ModelError(node, "axis \(axes[index]) is out of range") }
      let selection = SliceSelection(start: starts[index], end: ends[index], step: steps[index], size: inputDims[axis])
      offset += selection.first * inputStrides[axis]
      // A stride is only taken between two selected elements; with fewer, a huge step must not overflow.
      strides[axis] = selection.count < 2 ? 0 : inputStrides[axis] * steps[index]
    }
    let resultID = try resultTensor(y)
    let target = builder[resultID]
    let params = StridedCopy.params(
      shape: target.dims, sourceOffset: offset, sourceStrides: strides,
      targetStrides: StridedCopy.storageStrides(target))
    try emit(node, .copy, .copy(params), inputs: [.tensor(source)], outputs: [.value(y)])
  }

  /// Expand: a copy whose source strides are 0 along broadcast axes (and the output's extra leading axes).
  mutating func lowerExpand(_ node: Node) throws(ModelError) {
    let x = try required(node, 0, "input")
    let y = try result(node)
    let inputDims = try dims(of: x)
    let outputDims = try dims(of: y)
    let inputStrides = StridedCopy.rowMajorStrides(inputDims)
    let leading = outputDims.count - inputDims.count
    let sourceStrides = outputDims.indices.map { axis -> Int in
      let inputAxis = axis - leading
      guard inputAxis >= 0, inputDims[inputAxis] != 1 || outputDims[axis] == 1 else { return 0 }
      return inputStrides[inputAxis]
    }
    let params = StridedCopy.params(
      shape: outputDims, sourceStrides: sourceStrides, targetStrides: StridedCopy.rowMajorStrides(outputDims))
    try emit(node, .copy, .copy(params), inputs: [.value(x)], outputs: [.value(y)])
  }

  /// One copy per output from its slab of the input, at each side's storage strides (channels-last in a
  /// channels-last region).
  mutating func lowerSplit(_ node: Node, axis: Int) throws(ModelError) {
    _ = try required(node, 0, "input")
    let source = try operandTensor(node, 0)
    let inputStrides = StridedCopy.storageStrides(builder[source])
    var position = 0
    for output in node.outputs {
      let pieceDims = try dims(of: output)
      if liveness.isLive(output) {
        let resultID = try resultTensor(output)
        let target = builder[resultID]
        let params = StridedCopy.params(
          shape: pieceDims, sourceOffset: position * inputStrides[axis], sourceStrides: inputStrides,
          targetStrides: StridedCopy.storageStrides(target))
        try emit(node, .copy, .copy(params), inputs: [.tensor(source)], outputs: [.value(output)])
      }
      position += pieceDims[axis]
    }
  }

  /// An optional operand that must be a constant integer list when present.
  private func optionalConstantIntegers(_ node: Node, _ slot: Int, _ name: String) throws(ModelError) -> [Int]? {
    guard node.input(slot) != nil else { return nil }
    guard let constant = constantOperand(node, slot) else {
      throw ModelError(node, "\(name) are computed at run time; a plan needs them when compiling")
    }
    return constant.integers()
  }
}
