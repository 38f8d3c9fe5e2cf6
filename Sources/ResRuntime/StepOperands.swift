/// Where a plan step is, for messages: `plan step 3 'layer1.0.conv1' (f32_conv_nchw_generic)`.
struct StepSite: Sendable, CustomStringConvertible {
  let index: Int
  let name: String
  let kernel: String

  var description: String { "plan step \(index) \(MessageText.quoted(name)) (\(MessageText.escaped(kernel)))" }
}

/// The validated buffers one step reads and writes, and the checks an operator runs on them while it is
/// built. Every failure names the step and the operand role (`X`, `W`, `bias`...).
struct StepOperands {
  let site: StepSite
  let inputs: [PlanBuffer]
  let outputs: [PlanBuffer]
  /// The plan's constant section, for operators that read constants while they are built (prepacking).
  let constants: UnsafeRawBufferPointer

  func failure(_ message: String) -> RuntimeError {
    .invalidPlan("\(site): \(message)")
  }

  func requireCounts(inputs allowedInputs: ClosedRange<Int>, outputs allowedOutputs: ClosedRange<Int>)
    throws(RuntimeError)
  {
    guard allowedInputs.contains(inputs.count) else {
      throw failure("has \(inputs.count) inputs, expected \(Self.spell(allowedInputs))")
    }
    guard allowedOutputs.contains(outputs.count) else {
      throw failure("has \(outputs.count) outputs, expected \(Self.spell(allowedOutputs))")
    }
  }

  /// Input `position`, checked to have one of `types`.
  func input(_ position: Int, _ role: String, _ types: Set<ElementType>) throws(RuntimeError) -> PlanBuffer {
    try check(inputs[position], role, types)
  }

  func output(_ position: Int, _ role: String, _ types: Set<ElementType>) throws(RuntimeError) -> PlanBuffer {
    try check(outputs[position], role, types)
  }

  func input(_ position: Int, _ role: String, _ type: ElementType) throws(RuntimeError) -> PlanBuffer {
    try input(position, role, [type])
  }

  func output(_ position: Int, _ role: String, _ type: ElementType) throws(RuntimeError) -> PlanBuffer {
    try output(position, role, [type])
  }

  func requireShape(_ buffer: PlanBuffer, _ role: String, _ expected: [Int]) throws(RuntimeError) {
    guard buffer.shape == expected else {
      throw failure(
        "\(role) (\(buffer.label)) has shape \(ShapeText.of(buffer.shape)), expected \(ShapeText.of(expected))")
    }
  }

  func requireRank(_ buffer: PlanBuffer, _ role: String, _ ranks: ClosedRange<Int>) throws(RuntimeError) {
    guard ranks.contains(buffer.rank) else {
      throw failure("\(role) (\(buffer.label)) has rank \(buffer.rank), expected \(Self.spell(ranks))")
    }
  }

  func requireSameType(_ buffer: PlanBuffer, _ role: String, as other: PlanBuffer) throws(RuntimeError) {
    guard buffer.elementType == other.elementType else {
      throw failure(
        "\(role) (\(buffer.label)) has element type \(buffer.elementType.rawValue), expected \(other.elementType.rawValue)"
      )
    }
  }

  /// The floats of a constant buffer (for prepacking), or nil when the buffer lives in the arena.
  func constantFloats(_ buffer: PlanBuffer) -> UnsafeBufferPointer<Float>? {
    guard case .constant(let offset) = buffer.storage, buffer.elementType == .f32 else { return nil }
    let bytes = UnsafeRawBufferPointer(rebasing: constants[offset..<(offset + buffer.byteCount)])
    guard let base = bytes.baseAddress else { return UnsafeBufferPointer(start: nil, count: 0) }
    return UnsafeBufferPointer(start: base.bindMemory(to: Float.self, capacity: buffer.count), count: buffer.count)
  }

  private func check(_ buffer: PlanBuffer, _ role: String, _ types: Set<ElementType>) throws(RuntimeError)
    -> PlanBuffer
  {
    guard types.contains(buffer.elementType) else {
      let allowed = types.map(\.rawValue).sorted().joined(separator: " or ")
      throw failure("\(role) (\(buffer.label)) has element type \(buffer.elementType.rawValue), expected \(allowed)")
    }
    return buffer
  }

  private static func spell(_ range: ClosedRange<Int>) -> String {
    range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
  }
}
