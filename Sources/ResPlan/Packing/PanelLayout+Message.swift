extension PanelLayout {
  /// The layout a plan buffer declares, or nil when a field does not fit in an `Int` (the validator then
  /// refuses the buffer).
  package init?(_ message: Rescompile_Plan_PanelPacking) {
    let fields = [
      message.matrices, message.rows, message.depth, message.matrixStride, message.rowStride, message.depthStride,
    ]
    guard fields.allSatisfy({ $0 <= UInt64(Int.max) }) else { return nil }
    self.init(
      width: Int(message.width), matrices: Int(message.matrices), rows: Int(message.rows), depth: Int(message.depth),
      matrixStride: Int(message.matrixStride), rowStride: Int(message.rowStride),
      depthStride: Int(message.depthStride), winogradOutputTile: Int(message.winogradOutputTile),
      winogradStride: message.winogradStride == 0 ? 1 : Int(message.winogradStride))
  }

  /// The layout as plan.proto's `PanelPacking`.
  package var message: Rescompile_Plan_PanelPacking {
    var message = Rescompile_Plan_PanelPacking()
    message.width = UInt32(clamping: width)
    message.matrices = UInt64(matrices)
    message.rows = UInt64(rows)
    message.depth = UInt64(depth)
    message.matrixStride = UInt64(matrixStride)
    message.rowStride = UInt64(rowStride)
    message.depthStride = UInt64(depthStride)
    message.winogradOutputTile = UInt32(clamping: winogradOutputTile)
    // Stride 1 is the default, left off the wire, so that stride-1 plans keep their bytes.
    message.winogradStride = winogradStride == 1 ? 0 : UInt32(clamping: winogradStride)
    return message
  }
}
