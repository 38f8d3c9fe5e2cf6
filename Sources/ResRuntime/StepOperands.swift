import ResPlan

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

  /// Input `position` as a weight operand: f32, and the one kind of operand that may be a packed constant
  /// (read only through `panels(of:layout:)`).
  func weight(_ position: Int, _ role: String) throws(RuntimeError) -> PlanBuffer {
    try check(inputs[position], role, [.f32], acceptsPacked: true)
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

  /// A constant f32 weight in `layout`, one `PackedPanels` per matrix: the plan's bytes in place when the plan
  /// packed them in exactly this layout (no copy, no page touched until a run reads them), packed now from
  /// the row-major bytes of an unpacked constant, or unpacked and repacked when the plan packed them for
  /// other kernels. Nil when the buffer is computed at run time.
  func panels(of buffer: PlanBuffer, layout: PanelLayout) throws(RuntimeError) -> [PackedPanels]? {
    guard case .constant(let offset) = buffer.storage, buffer.elementType == .f32 else { return nil }
    guard layout.problem(elementCount: buffer.count) == nil else {
      throw failure("\(buffer.label) cannot be read as \(layout)")
    }
    // An empty constant section only holds empty buffers: nothing is read, but the panels need an address.
    let placeholder = constants.baseAddress == nil ? try AlignedMemory.allocate(64, for: "empty weights") : nil
    return try withExtendedLifetime(placeholder) { () throws(RuntimeError) -> [PackedPanels] in
      guard let start = constants.baseAddress.map({ $0 + offset }) ?? placeholder.map({ UnsafeRawPointer($0.base) })
      else { return [] }
      let source = start.assumingMemoryBound(to: Float.self)
      guard buffer.packing != layout else { return Self.borrowed(source, layout) }
      guard let packing = buffer.packing else { return try Self.packed(source, layout) }
      let rowMajor = try AlignedMemory.allocate(buffer.byteCount, for: "repacked weights")
      guard packing.unpack(source, into: rowMajor.floats(count: buffer.count)) else {
        throw failure("\(buffer.label) is stored as \(packing), which cannot be read as \(layout); recompile the plan")
      }
      return try withExtendedLifetime(rowMajor) { () throws(RuntimeError) -> [PackedPanels] in
        try Self.packed(UnsafePointer(rowMajor.floats(count: buffer.count)), layout)
      }
    }
  }

  /// The plan's packed bytes at `source`, used in place: one `PackedPanels` per matrix of `layout`.
  private static func borrowed(_ source: UnsafePointer<Float>, _ layout: PanelLayout) -> [PackedPanels] {
    (0..<layout.matrices).map { matrix in
      PackedPanels(
        borrowing: source + matrix * layout.floatsPerMatrix, rows: layout.rows, depth: layout.depth,
        width: layout.width)
    }
  }

  /// The row-major tensor at `source` packed now, one `PackedPanels` per matrix of `layout`.
  private static func packed(_ source: UnsafePointer<Float>, _ layout: PanelLayout) throws(RuntimeError)
    -> [PackedPanels]
  {
    var result: [PackedPanels] = []
    for matrix in 0..<layout.matrices {
      result.append(try PackedPanels(source + matrix * layout.matrixStride, layout: layout))
    }
    return result
  }

  /// A constant f32 3×3 convolution weight transformed for Winograd in `layout` (`WinogradFilter.layout`): the
  /// plan's bytes in place when the plan stores them in exactly this layout, transformed now from row-major
  /// bytes (an unpacked buffer, or panels unpacked first). Nil when the buffer is computed at run time; a
  /// plan holding them transformed another way (another tile or panel width) is refused, since a transform
  /// cannot be undone.
  func winogradWeights(of buffer: PlanBuffer, layout: PanelLayout) throws(RuntimeError) -> WinogradWeights? {
    guard case .constant(let offset) = buffer.storage, buffer.elementType == .f32 else { return nil }
    if let problem = layout.problem(elementCount: buffer.count) {
      throw failure("\(buffer.label) cannot be read as \(layout): \(problem)")
    }
    guard let base = constants.baseAddress else { throw failure("\(buffer.label) has no bytes") }
    let source = (base + offset).assumingMemoryBound(to: Float.self)
    guard let packing = buffer.packing else { return try WinogradWeights(transforming: source, layout: layout) }
    guard packing != layout else { return try WinogradWeights(borrowing: source, layout: layout) }
    let rowMajor = try AlignedMemory.allocate(buffer.byteCount, for: "unpacked weights")
    guard packing.unpack(source, into: rowMajor.floats(count: buffer.count)) else {
      throw failure("\(buffer.label) is stored as \(packing), but this runtime reads \(layout); recompile the plan")
    }
    return try withExtendedLifetime(rowMajor) { () throws(RuntimeError) -> WinogradWeights in
      try WinogradWeights(transforming: UnsafePointer(rowMajor.floats(count: buffer.count)), layout: layout)
    }
  }

  /// A constant f32 buffer's row-major floats, in place in the constant section; nil when it is computed at run
  /// time or packed (the methods that transform weights at load read them as the model gave them).
  func constantFloats(_ buffer: PlanBuffer) -> UnsafePointer<Float>? {
    guard case .constant(let offset) = buffer.storage, buffer.elementType == .f32, buffer.packing == nil,
      let base = constants.baseAddress
    else { return nil }
    return (base + offset).assumingMemoryBound(to: Float.self)
  }

  /// Fails unless `buffer` holds row-major bytes: a packed weight read by a method that does not read panels.
  func requireUnpacked(_ buffer: PlanBuffer, _ role: String) throws(RuntimeError) {
    if let packing = buffer.packing {
      throw failure("\(role) (\(buffer.label)) is packed (\(packing)) but this step reads it unpacked; recompile the plan")
    }
  }

  private func check(
    _ buffer: PlanBuffer, _ role: String, _ types: Set<ElementType>, acceptsPacked: Bool = false
  ) throws(RuntimeError) -> PlanBuffer {
    if !acceptsPacked { try requireUnpacked(buffer, role) }
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
