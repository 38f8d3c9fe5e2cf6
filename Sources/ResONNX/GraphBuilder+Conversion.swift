import ResIR

/// The dispatch from an ONNX operator name to its conversion. Each conversion reads the attributes and inputs
/// of the operator's version in force at the model's opset and produces the IR's newest-opset form.
extension GraphBuilder {
  mutating func convert(_ node: ONNXNode) throws(ModelError) -> Conversion {
    switch node.opType {
    case "Conv": return try convertConv(node)
    case "MaxPool": return try convertMaxPool(node)
    case "AveragePool": return try convertAveragePool(node)
    case "GlobalAveragePool": return Conversion(.globalAveragePool, node.operands)
    case "Gemm": return try convertGemm(node)
    case "MatMul": return Conversion(.matMul(.none), node.operands)
    case "BatchNormalization": return try convertBatchNormalization(node)
    case "LayerNormalization": return try convertLayerNormalization(node)
    case "LRN": return try convertLRN(node)
    case "Softmax": return try convertSoftmax(node)
    case "ReduceMean": return try convertReduceMean(node)
    case "Dropout": return try convertDropout(node)
    case "Relu": return Conversion(.unary(.relu), node.operands)
    case "Sigmoid": return Conversion(.unary(.sigmoid), node.operands)
    case "Tanh": return Conversion(.unary(.tanh), node.operands)
    case "Erf": return Conversion(.unary(.erf), node.operands)
    case "Sqrt": return Conversion(.unary(.sqrt), node.operands)
    case "HardSwish": return Conversion(.unary(.hardSwish), node.operands)
    case "LeakyRelu", "HardSigmoid", "Gelu": return try convertParameterizedUnary(node)
    case "Clip": return try convertClip(node)
    case "Add": return Conversion(.binary(.add), node.operands)
    case "Sub": return Conversion(.binary(.sub), node.operands)
    case "Mul": return Conversion(.binary(.mul), node.operands)
    case "Div": return Conversion(.binary(.div), node.operands)
    case "Pow": return Conversion(.binary(.pow), node.operands)
    case "Equal": return Conversion(.binary(.equal), node.operands)
    case "Mod": return Conversion(.binary(.mod(fmod: try node.attributes.flag("fmod", default: false))), node.operands)
    case "Sum": return Conversion(.variadic(.sum), node.operands)
    case "Max": return Conversion(.variadic(.max), node.operands)
    case "Min": return Conversion(.variadic(.min), node.operands)
    case "Where": return Conversion(.where, node.operands)
    case "Cast": return try convertCast(node)
    case "Flatten": return try convertFlatten(node)
    case "Reshape":
      return Conversion(.reshape(allowZero: try node.attributes.flag("allowzero", default: false)), node.operands)
    case "Transpose": return try convertTranspose(node)
    case "Concat": return try convertConcat(node)
    case "Split": return try convertSplit(node)
    case "Slice": return try convertSlice(node)
    case "Squeeze": return try convertSqueeze(node)
    case "Unsqueeze": return try convertUnsqueeze(node)
    case "Gather": return try convertGather(node)
    case "Shape": return try convertShape(node)
    case "Expand": return Conversion(.expand, node.operands)
    case "ConstantOfShape": return try convertConstantOfShape(node)
    case "Pad": return try convertPad(node)
    case "Identity": return Conversion(.identity, node.operands)
    case "LSTM": return try convertRecurrent(node, gates: .lstm)
    case "GRU": return try convertRecurrent(node, gates: .gru)
    default:
      // OpSupport.check has rejected every other operator before any node is converted.
      throw node.error("operator \(node.opType) is not supported")
    }
  }
}
