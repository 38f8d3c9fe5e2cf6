import ResIR
import ResPlan

/// Accumulates the plan as lowering produces it: tensors, the arena regions and constant payloads behind them,
/// and steps in execution order.
///
/// Nothing here is final: the emitter keeps only what steps and bindings refer to, the memory planner gives
/// regions their offsets, and the constant section gives payloads theirs.
struct PlanBuilder: Sendable {
  /// The largest tensor a plan may hold. Far above any real activation, and low enough that sums of sizes
  /// over a whole plan cannot overflow.
  static let maximumTensorBytes = 1 << 40

  private(set) var tensors: [PlanTensor] = []
  /// Bytes of each arena region.
  private(set) var regionSizes: [Int] = []
  /// Each constant payload, with the layout its kernel reads it in.
  private(set) var payloads: [ConstantPayload] = []
  private(set) var steps: [PlanStep] = []

  subscript(tensor: TensorID) -> PlanTensor { tensors[tensor.index] }

  /// A tensor in a fresh arena region of its own.
  mutating func activation(name: String, dtype: DType, dims: [Int], channelsLast: Bool = false) throws(ModelError)
    -> TensorID
  {
    let bytes = try Self.byteCount(name: name, dtype: dtype, dims: dims)
    regionSizes.append(bytes)
    return add(
      PlanTensor(
        name: name, dtype: dtype, dims: dims, storage: .arena(region: regionSizes.count - 1),
        isChannelsLast: channelsLast))
  }

  /// A tensor whose row-major bytes are `bytes`, placed in the constant section in `layout`.
  mutating func constant(
    name: String, dtype: DType, dims: [Int], bytes: TensorBytes, layout: ConstantLayout = .onnx
  ) -> TensorID {
    payloads.append(ConstantPayload(bytes: bytes, layout: layout))
    return add(PlanTensor(name: name, dtype: dtype, dims: dims, storage: .constant(payload: payloads.count - 1)))
  }

  /// A second tensor over the bytes of `source` with the same element type and count but another shape. Every
  /// arena tensor covers its whole region: Concat aliasing relies on it (a region placed in a slab is exactly
  /// the operand's bytes).
  mutating func view(of source: TensorID, name: String, dims: [Int]) -> TensorID {
    let base = tensors[source.index]
    return add(
      PlanTensor(name: name, dtype: base.dtype, dims: dims, storage: base.storage, isChannelsLast: base.isChannelsLast))
  }

  mutating func append(_ step: PlanStep) {
    steps.append(step)
  }

  /// Replaces the step at `index` (a Concat copy redirected to its slab).
  mutating func replaceStep(at index: Int, with step: PlanStep) {
    steps[index] = step
  }

  /// Drops the steps whose index is marked (the copies of Concat operands computed in place), keeping the order
  /// of the others.
  mutating func removeSteps(marked: [Bool]) {
    steps = steps.indices.filter { !(marked.indices.contains($0) && marked[$0]) }.map { steps[$0] }
  }

  private mutating func add(_ tensor: PlanTensor) -> TensorID {
    tensors.append(tensor)
    return TensorID(index: tensors.count - 1)
  }

  /// The size of a tensor in bytes, refusing sizes no plan can hold.
  static func byteCount(name: String, dtype: DType, dims: [Int]) throws(ModelError) -> Int {
    guard let count = TensorType.checkedProduct(dims) else {
      throw ModelError("tensor '\(name)' has an invalid or overflowing shape \(dims)")
    }
    let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteWidth)
    guard !overflow, bytes <= maximumTensorBytes else {
      throw ModelError("tensor '\(name)' of shape \(dims) needs more than 2^40 bytes, more than a plan can hold")
    }
    return bytes
  }
}
