import ResPlan

/// `scatter_nd`: `Y` = a copy of `data` in which the slice each index tuple addresses is replaced by (or, with
/// a reduction, combined with) the matching slice of `updates`.
///
/// The last axis of `indices` holds tuples of length `k` that address data's first `k` axes; the slice is the
/// rest of data. Tuples apply in row-major order, so of two that address one slice without a reduction the
/// later wins, as in onnxruntime and the reference evaluator. Indices are data: each is checked while running,
/// and one out of range stops the run with an error naming it. Element types only matter for reductions.
struct ScatterNDOperator: Operator {
  let data: PlanBuffer
  let indices: PlanBuffer
  let updates: PlanBuffer
  let y: PlanBuffer
  let site: StepSite
  let reduction: Rescompile_Plan_ScatterNDParams.Reduction
  /// The sizes of data's first `k` axes, which the index tuples address.
  let addressedSizes: [Int]
  /// Elements per addressed slice.
  let sliceCount: Int

  /// The element types a reduction combines; `none` copies bytes of any type.
  static let reducibleTypes: Set<ElementType> = [.f32, .f64, .i64, .i32]

  init(_ params: Rescompile_Plan_ScatterNDParams, _ operands: StepOperands) throws(RuntimeError) {
    try operands.requireCounts(inputs: 3...3, outputs: 1...1)
    data = operands.inputs[0]
    indices = try operands.input(1, "indices", .i64)
    updates = operands.inputs[2]
    y = operands.outputs[0]
    site = operands.site
    reduction = params.reduction
    try operands.requireSameType(updates, "updates", as: data)
    try operands.requireSameType(y, "Y", as: data)
    try operands.requireShape(y, "Y", data.shape)
    if case .UNRECOGNIZED(let raw) = reduction { throw operands.failure("unknown reduction \(raw)") }
    if reduction != .none, !Self.reducibleTypes.contains(data.elementType) {
      throw operands.failure("reduction \(reduction) does not take \(data.elementType.rawValue) elements")
    }
    (addressedSizes, sliceCount) = try Self.geometry(operands, data, indices, updates)
  }

  /// The addressed axis sizes and the slice's element count, after checking that `updates` has the shape
  /// `indices.shape[..<last] + data.shape[k...]`.
  private static func geometry(
    _ operands: StepOperands, _ data: PlanBuffer, _ indices: PlanBuffer, _ updates: PlanBuffer
  ) throws(RuntimeError) -> ([Int], Int)
  {
    guard let depth = indices.shape.last, depth >= 1, depth <= data.rank else {
      throw operands.failure(
        "indices \(ShapeText.of(indices.shape)) must end in a length from 1 to data's rank \(data.rank)")
    }
    let slice = Array(data.shape[depth...])
    try operands.requireShape(updates, "updates", Array(indices.shape.dropLast()) + slice)
    return (Array(data.shape[..<depth]), slice.reduce(1, *))
  }

  func run(_ context: RunContext) throws(RuntimeError) {
    let width = data.elementType.byteWidth
    let destination = context.raw(y)
    destination.copyMemory(from: context.raw(data), byteCount: data.count * width)
    let tuples = UnsafeRawPointer(context.raw(indices)).assumingMemoryBound(to: Int64.self)
    let source = UnsafeRawPointer(context.raw(updates))
    let sliceBytes = sliceCount * width
    for tuple in 0..<(addressedSizes.isEmpty ? 0 : indices.count / addressedSizes.count) {
      let offset = try sliceOffset(tuple, tuples) * sliceBytes
      combine(into: destination + offset, from: source + tuple * sliceBytes)
    }
  }

  /// The slice number (in units of slices) that tuple `tuple` addresses, each index checked.
  private func sliceOffset(_ tuple: Int, _ tuples: UnsafePointer<Int64>) throws(RuntimeError) -> Int {
    var offset = 0
    for (axis, size) in addressedSizes.enumerated() {
      let raw = tuples[tuple * addressedSizes.count + axis]
      guard raw >= -Int64(size), raw < Int64(size) else {
        throw RuntimeError(
          .execution, "\(site): index \(raw) of tuple \(tuple) is out of range for axis \(axis) of size \(size)")
      }
      offset = offset * size + Int(raw < 0 ? raw + Int64(size) : raw)
    }
    return offset
  }

  /// One slice of updates into Y: copied, or combined element by element in the data's type.
  private func combine(into target: UnsafeMutableRawPointer, from update: UnsafeRawPointer) {
    guard reduction != .none else {
      target.copyMemory(from: update, byteCount: sliceCount * data.elementType.byteWidth)
      return
    }
    switch data.elementType {
    case .f32: combineElements(Float.self, target, update)
    case .f64: combineElements(Double.self, target, update)
    case .i64: combineElements(Int64.self, target, update)
    case .i32: combineElements(Int32.self, target, update)
    case .f16, .i8, .u8, .bool:
      preconditionFailure("init admits reductions only on \(Self.reducibleTypes)")
    }
  }

  private func combineElements<T: ScatterElement>(
    _: T.Type, _ target: UnsafeMutableRawPointer, _ update: UnsafeRawPointer
  ) {
    let y = target.assumingMemoryBound(to: T.self)
    let u = update.assumingMemoryBound(to: T.self)
    for index in 0..<sliceCount {
      y[index] = T.combined(y[index], u[index], reduction)
    }
  }
}

/// The element types a ScatterND reduction combines, with the arithmetic of each: IEEE for floats (a NaN on
/// either side of max or min gives NaN, as in the reference evaluator), wrapping for integers.
protocol ScatterElement {
  static func combined(_ old: Self, _ update: Self, _ reduction: Rescompile_Plan_ScatterNDParams.Reduction) -> Self
}

extension ScatterElement where Self: BinaryFloatingPoint {
  static func combined(_ old: Self, _ update: Self, _ reduction: Rescompile_Plan_ScatterNDParams.Reduction) -> Self {
    switch reduction {
    case .add: old + update
    case .mul: old * update
    case .max: old.isNaN || update.isNaN ? .nan : Swift.max(old, update)
    case .min: old.isNaN || update.isNaN ? .nan : Swift.min(old, update)
    case .none, .UNRECOGNIZED: update
    }
  }
}

extension ScatterElement where Self: FixedWidthInteger {
  static func combined(_ old: Self, _ update: Self, _ reduction: Rescompile_Plan_ScatterNDParams.Reduction) -> Self {
    switch reduction {
    case .add: old &+ update
    case .mul: old &* update
    case .max: Swift.max(old, update)
    case .min: Swift.min(old, update)
    case .none, .UNRECOGNIZED: update
    }
  }
}

extension Float: ScatterElement {}
extension Double: ScatterElement {}
extension Int64: ScatterElement {}
extension Int32: ScatterElement {}
