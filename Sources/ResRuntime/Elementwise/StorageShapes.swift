import ResPlan

/// The shapes a broadcasting elementwise step walks in storage order, so that it may read and write
/// channels-last operands: a channels-last `[N, C, spatial...]` buffer is stored `[N, spatial..., C]`, and the
/// step broadcasts over the stored shapes instead of the logical ones.
///
/// The case it exists for is a squeeze-and-excitation gate: `X · s` with X `[N, C, H, W]` in a channels-last
/// region and s `[N, C, 1, 1]` computed row-major by the gate's 1x1 convolutions. An operand whose spatial
/// axes all have size 1 has the same bytes in both layouts, so it is read as stored `[N, 1, 1, C]` whatever
/// its layout and needs no reorder; any other row-major operand of a channels-last output is refused (its
/// elements would be read at the wrong places). With no channels-last operand, the shapes are the logical
/// ones.
struct StorageShapes {
  /// Operand shapes (right-aligned to the output's rank when channels-last) and the output's, in storage order.
  let operands: [[Int]]
  let output: [Int]
  /// Whether any operand or the output is channels-last.
  let isChannelsLast: Bool

  init(operands buffers: [PlanBuffer], output y: PlanBuffer, _ operands: StepOperands) throws(RuntimeError) {
    isChannelsLast = y.isChannelsLast || buffers.contains { $0.isChannelsLast }
    guard isChannelsLast else {
      self.operands = buffers.map(\.shape)
      output = y.shape
      return
    }
    guard y.isChannelsLast, (3...5).contains(y.rank) else {
      throw operands.failure("\(y.label) must be a channels-last activation when an operand is channels-last")
    }
    var shapes: [[Int]] = []
    for buffer in buffers {
      guard buffer.rank <= y.rank else {
        throw operands.failure("\(buffer.label) has more axes than the channels-last output \(y.label)")
      }
      let aligned = [Int](repeating: 1, count: y.rank - buffer.rank) + buffer.shape
      guard buffer.isChannelsLast ? buffer.rank == y.rank : aligned.dropFirst(2).allSatisfy({ $0 == 1 }) else {
        throw operands.failure(
          "\(buffer.label) is row-major with spatial positions, which a channels-last step cannot broadcast")
      }
      shapes.append(Self.stored(aligned))
    }
    self.operands = shapes
    output = Self.stored(y.shape)
  }

  /// `[N, C, spatial...]` as stored channels-last: `[N, spatial..., C]` (of sizes, or of anything per axis).
  static func stored<Element>(_ shape: [Element]) -> [Element] {
    guard shape.count >= 3 else { return shape }
    return [shape[0]] + shape.dropFirst(2) + [shape[1]]
  }
}
