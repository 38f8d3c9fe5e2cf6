import ResIR

/// An ONNX sequence (`seq(tensor)`) as the importer knows it: the IR value of each element.
///
/// Sequences only live inside the import. PyTorch writes a scripted loop that appends to a list as a Loop
/// carrying a sequence (`SequenceEmpty`, `SequenceInsert` in the body, `ConcatFromSequence` after it); once the
/// loop is unrolled every insertion is known, so the sequence is a list of tensors the importer holds, and
/// what reads it (`SequenceAt`, `ConcatFromSequence`) becomes ordinary tensor ops. A plan's inputs and outputs
/// are tensors, so a sequence never reaches the IR.
struct TensorSequence {
  var elements: [ValueID]
  /// The element type, which an empty sequence must still have (`SequenceEmpty`'s `dtype`).
  var dtype: DType
}

/// A named ONNX value: a tensor, which is an IR value, or a sequence, which only the importer holds.
enum NamedValue {
  case tensor(ValueID)
  case sequence(TensorSequence)
}
