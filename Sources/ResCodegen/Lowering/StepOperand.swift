import ResIR
import ResPlan

/// An input of a step being emitted: a graph value, or a tensor the lowering made itself (a temporary, or a
/// result it writes in pieces).
///
/// A value carries the element type the kernel needs. When the value has another type it is converted: a
/// constant at compile time (so the plan stores it ready to use), anything else by a `cast` step in front of
/// the step that reads it.
enum StepOperand {
  case value(ValueID, as: DType?)
  case tensor(TensorID)
  /// A weight operand of a dense kernel, in f32: when it is a constant, stored packed in `packing` (nil keeps
  /// ONNX's layout), the layout the kernel reads it in.
  case weight(ValueID, packing: PanelLayout?)

  /// The value as it is.
  static func value(_ value: ValueID) -> StepOperand { .value(value, as: nil) }
  /// The value in f32, for the compute kernels (which only exist for f32).
  static func float32(_ value: ValueID) -> StepOperand { .value(value, as: .float32) }
}

/// An output of a step being emitted: a graph value's tensor (created on first write), or a lowering's own
/// tensor.
///
/// A value written in another element type than its own (an f16 convolution computed in f32) gets an f32
/// stand-in, and a `cast` step after the step converts it into the value's tensor.
enum StepResult {
  case value(ValueID, as: DType?)
  case tensor(TensorID)

  static func value(_ value: ValueID) -> StepResult { .value(value, as: nil) }
  static func float32(_ value: ValueID) -> StepResult { .value(value, as: .float32) }
}
