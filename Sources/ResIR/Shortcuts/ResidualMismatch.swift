/// An Add or Sum whose operands cannot broadcast: invalid ONNX, and in a residual network nearly always a
/// skip connection that nobody projected to the main path's shape (a downsampling block written without its
/// shortcut). The analysis decides which operand is the skip and whether a `ZeroPadShortcut` can bring it to
/// the main path's shape, so that the default error can name the repair and the repair can refuse precisely.
///
/// **Which operand is the skip.** A strided 1x1 convolution can only subsample and only add channels, so the
/// skip is the operand whose spatial size is at least the other's on every axis; with equal spatial sizes,
/// the one with fewer channels. The other operand is the main path, whose shape the result keeps.
package struct ResidualMismatch: Sendable {
  /// The operands' shapes, in slot order.
  package let shapes: [[Dim]]
  /// The projection that repairs the mismatch, or why there is none.
  package let repair: Result<SkipProjection, ShortcutRefusal>

  /// The option that asks for the repair, as the command line spells it.
  package static let option = "--residual-mismatch \(ResidualMismatchPolicy.zeroPad.rawValue)"

  /// Nil when the operands broadcast: then there is no mismatch.
  package init?(operands: [TensorType]) {
    guard Broadcasting.broadcast(operands.map(\.shape)) == nil else { return nil }
    shapes = operands.map(\.shape)
    repair = Result { () throws(ShortcutRefusal) in try Self.projection(operands) }
  }

  /// One line: the shapes, and either the option that repairs them and what it would insert, or why the
  /// repair does not apply.
  package var message: String {
    let texts = shapes.map(shapeText)
    let listed =
      texts.count <= 2
      ? texts.joined(separator: " and ")
      : texts.dropLast().joined(separator: ", ") + " and " + (texts.last ?? "")
    let problem = "operands \(listed) cannot broadcast (invalid ONNX)"
    switch repair {
    case .success(let projection):
      let shortcut = projection.shortcut
      return problem + "; if operand \(projection.skipSlot + 1) is a residual skip path, \(Self.option) "
        + "repairs it with ResNet's parameter-free option-A shortcut: a 1x1 Conv with strides "
        + "\(listText(shortcut.strides)) and zero-padded identity weight \(listText(shortcut.weightDims))"
    case .failure(let refusal):
      return problem + ", and \(Self.option) cannot repair it: \(refusal.reason)"
    }
  }

  private static func projection(_ operands: [TensorType]) throws(ShortcutRefusal) -> SkipProjection {
    guard operands.count == 2 else {
      throw ShortcutRefusal("there are \(operands.count) operands; a projection pairs one skip path with one main path")
    }
    let (first, second) = (operands[0], operands[1])
    guard first.rank == 4, second.rank == 4 else {
      throw ShortcutRefusal(
        "the operands have rank \(first.rank) and \(second.rank); a projection needs two [N,C,H,W] tensors")
    }
    guard first.dtype.isFloatingPoint else {
      throw ShortcutRefusal("the operands are \(first.dtype.onnxName); a projection convolution needs floats")
    }
    guard Broadcasting.merge(first.shape[0], second.shape[0]) != nil else {
      throw ShortcutRefusal("the batch sizes \(first.shape[0]) and \(second.shape[0]) differ")
    }
    let sizes = [try channelsAndSpatial(first, slot: 0), try channelsAndSpatial(second, slot: 1)]
    let skipSlot = try Self.skipSlot(sizes)
    let (skip, main) = (sizes[skipSlot], sizes[1 - skipSlot])
    var strides: [Int] = []
    for axis in 1..<skip.count {
      guard let stride = ZeroPadShortcut.stride(from: skip[axis], to: main[axis]) else {
        throw ShortcutRefusal(
          "no integer stride takes spatial axis \(axis - 1) of the skip path (operand \(skipSlot + 1)) from "
            + "\(skip[axis]) to \(main[axis]) positions (stride s keeps ceil(\(skip[axis])/s))")
      }
      strides.append(stride)
    }
    let shortcut = try ZeroPadShortcut(
      inputChannels: skip[0], outputChannels: main[0], channelOffset: 0, strides: strides)
    return SkipProjection(skipSlot: skipSlot, shortcut: shortcut)
  }

  /// `[C, H, W]` of an operand, which must be numbers: the weight and the strides are built from them.
  private static func channelsAndSpatial(_ type: TensorType, slot: Int) throws(ShortcutRefusal) -> [Int] {
    guard let sizes = TensorType(type.dtype, Array(type.shape.dropFirst())).knownDims else {
      throw ShortcutRefusal(
        "operand \(slot + 1) \(shapeText(type.shape)) has channel or spatial sizes that are not numbers")
    }
    return sizes
  }

  /// The operand a subsampling, channel-adding projection can turn into the other (see the type's comment).
  private static func skipSlot(_ sizes: [[Int]]) throws(ShortcutRefusal) -> Int {
    let spatial = sizes.map { Array($0.dropFirst()) }
    let contains = [0, 1].map { slot in zip(spatial[slot], spatial[1 - slot]).allSatisfy { $0 >= $1 } }
    switch (contains[0], contains[1]) {
    case (true, false): return 0
    case (false, true): return 1
    case (true, true): return sizes[0][0] <= sizes[1][0] ? 0 : 1
    case (false, false):
      throw ShortcutRefusal(
        "neither operand's spatial size (\(listText(spatial[0])) and \(listText(spatial[1]))) is at least the "
          + "other's on every axis; a strided 1x1 convolution only subsamples")
    }
  }
}

/// A repair: project operand `skipSlot` with `shortcut`.
package struct SkipProjection: Sendable, Hashable {
  package let skipSlot: Int
  package let shortcut: ZeroPadShortcut
}
