import ResIR

/// Attention (opset 23; PyTorch's exporter writes it for `scaled_dot_product_attention` from opset 23 on),
/// written out as ONNX's own function body does it: Q and Kᵀ each scaled by √scale, grouped-query heads
/// repeated, optional softcap, the causal and given masks added as a bias, softmax, a row whose bias is all −∞
/// giving zeros instead of NaN, and the product with V. 3-D inputs are split into heads and merged back.
///
/// The outputs present_key and present_value (the key/value cache with this step appended) and
/// qk_matmul_output (scores after softcap, after the bias, or the weights, by `qk_matmul_output_mode`) are
/// produced when named. Refused: opset 24's `nonpad_kv_seqlen` and the sliding-window attributes.
extension GraphBuilder {
  mutating func convertAttention(_ node: ONNXNode) throws(ModelError) -> Conversion {
    try node.requireInputCount(atMost: 7)
    let shape = try AttentionShape(node, graph: graph)
    var extraOutputs: [Int: ValueID] = [:]
    var q = try heads(try node.requiredOperand(0, "Q"), count: shape.queryHeads, shape, "q", node)
    var k = try heads(try node.requiredOperand(1, "K"), count: shape.keyValueHeads, shape, "k", node)
    var v = try heads(try node.requiredOperand(2, "V"), count: shape.keyValueHeads, shape, "v", node)
    if let pastKey = node.operand(4) { k = try step(.concat(axis: 2), [pastKey, k], "present_key", of: node) }
    if let pastValue = node.operand(5) {
      v = try step(.concat(axis: 2), [pastValue, v], "present_value", of: node)
    }
    extraOutputs[1] = try exposed(k, asOutput: 1, of: node)
    extraOutputs[2] = try exposed(v, asOutput: 2, of: node)
    k = try repeatedForQueryHeads(k, shape, headSize: shape.keyHeadSize, "k", node)
    v = try repeatedForQueryHeads(v, shape, headSize: shape.valueHeadSize, "v", node)
    let rootScale = addScalar(Double(shape.scale).squareRoot(), dtype: shape.dtype, named: "\(node.name)_root_scale")
    q = try step(.binary(.mul), [q, rootScale], "q_scaled", of: node)
    let keysT = try step(.transpose(perm: [0, 1, 3, 2]), [k], "k_transposed", of: node)
    let scaledKeys = try step(.binary(.mul), [keysT, rootScale], "k_scaled", of: node)
    var scores = try step(.matMul(.none), [q, scaledKeys], "scores", of: node)
    if let softcap = shape.softcap { scores = try softcapped(scores, softcap, shape.dtype, node) }
    let bias = try attentionBias(shape, node)
    var scoresOutput = scores
    if let bias { scores = try step(.binary(.add), [scores, bias], "biased_scores", of: node) }
    if shape.scoresOutputMode == 2 { scoresOutput = scores }
    var weights = try step(.softmax(axis: 3, coerced2D: false), [scores], "weights", of: node)
    if let bias, node.operand(3) != nil { weights = try zeroingFullyMaskedRows(weights, bias, shape.dtype, node) }
    if shape.scoresOutputMode == 3 { scoresOutput = weights }
    extraOutputs[3] = try exposed(scoresOutput, asOutput: 3, of: node)
    var conversion: Conversion
    if shape.isThreeDimensional {
      let output = try step(.matMul(.none), [weights, v], "heads_output", of: node)
      let merged = try step(.transpose(perm: [0, 2, 1, 3]), [output], "merged", of: node)
      let merge = addIntegers([0, 0, -1], named: "\(node.name)_y_shape")
      conversion = Conversion(.reshape(allowZero: false), [merged, merge])
    } else {
      conversion = Conversion(.matMul(.none), [weights, v])
    }
    conversion.extraOutputs = extraOutputs
    return conversion
  }

  /// A 4-D `[B, heads, S, D]` input as is; a 3-D `[B, S, heads·D]` one split into heads.
  private mutating func heads(
    _ x: ValueID, count: Int, _ shape: AttentionShape, _ role: String, _ node: ONNXNode
  ) throws(ModelError) -> ValueID {
    guard shape.isThreeDimensional else { return x }
    let split = addIntegers([0, 0, count, -1], named: "\(node.name)_\(role)_heads_shape")
    let grouped = try step(.reshape(allowZero: false), [x, split], "\(role)_heads", of: node)
    return try step(.transpose(perm: [0, 2, 1, 3]), [grouped], "\(role)_by_head", of: node)
  }

  /// Grouped-query attention: each key/value head serves `queryHeads / keyValueHeads` consecutive query heads.
  private mutating func repeatedForQueryHeads(
    _ x: ValueID, _ shape: AttentionShape, headSize: Int, _ role: String, _ node: ONNXNode
  ) throws(ModelError) -> ValueID {
    let group = shape.queryHeads / shape.keyValueHeads
    guard group > 1 else { return x }
    let spread = try step(.unsqueeze(axes: [2]), [x], "\(role)_group_axis", of: node)
    let copies = addIntegers([1, 1, group, 1, 1], named: "\(node.name)_\(role)_copies")
    let repeated = try step(.expand, [spread, copies], "\(role)_repeated", of: node)
    let merged = addIntegers([0, shape.queryHeads, -1, headSize], named: "\(node.name)_\(role)_query_heads")
    return try step(.reshape(allowZero: false), [repeated, merged], "\(role)_for_query_heads", of: node)
  }

  /// `softcap · tanh(scores / softcap)`.
  private mutating func softcapped(
    _ scores: ValueID, _ softcap: Float, _ dtype: DType, _ node: ONNXNode
  ) throws(ModelError) -> ValueID {
    let cap = addScalar(Double(softcap), dtype: dtype, named: "\(node.name)_softcap")
    let divided = try step(.binary(.div), [scores, cap], "softcap_divided", of: node)
    let bounded = try step(.unary(.tanh), [divided], "softcap_tanh", of: node)
    return try step(.binary(.mul), [bounded, cap], "softcapped", of: node)
  }

  /// The additive bias: the causal mask (−∞ above the diagonal shifted by the past length) plus the given
  /// mask (a bool mask is 0 where attending and −∞ elsewhere); nil when there is neither.
  private mutating func attentionBias(_ shape: AttentionShape, _ node: ONNXNode) throws(ModelError) -> ValueID? {
    var bias: ValueID?
    if shape.isCausal { bias = addGeneratedConstant("\(node.name)_causal_bias", try shape.causalBias(node)) }
    guard let mask = node.operand(3) else { return bias }
    var maskBias = mask
    let blocked = addScalar(-.infinity, dtype: shape.dtype, named: "\(node.name)_blocked")
    if graph.type(of: mask).dtype == .bool {
      let zero = addScalar(0, dtype: shape.dtype, named: "\(node.name)_attend")
      maskBias = try step(.where, [mask, zero, blocked], "mask_bias", of: node)
    }
    // A mask shorter than the keys (past included) blocks the keys it does not cover.
    let maskType = graph.type(of: maskBias)
    if let covered = maskType.shape.last?.value, let keys = shape.totalKeySequence, covered < keys {
      var pads = Array(repeating: 0, count: 2 * maskType.rank)
      pads[2 * maskType.rank - 1] = keys - covered
      maskBias = try step(.pad(mode: .constant, pads: pads), [maskBias, blocked], "mask_padded", of: node)
    }
    guard let causal = bias else { return maskBias }
    return try step(.binary(.add), [causal, maskBias], "bias", of: node)
  }

  /// Rows whose bias is −∞ everywhere attend to nothing: zeros, where softmax would give NaN.
  private mutating func zeroingFullyMaskedRows(
    _ weights: ValueID, _ bias: ValueID, _ dtype: DType, _ node: ONNXNode
  ) throws(ModelError) -> ValueID {
    let lastAxis = [rank(of: bias) - 1]
    let rowMaximum = try step(.reduce(.max, axes: lastAxis, keepDims: true), [bias], "bias_row_max", of: node)
    let blocked = addScalar(-.infinity, dtype: dtype, named: "\(node.name)_row_blocked")
    let allMasked = try step(.binary(.equal), [rowMaximum, blocked], "row_all_masked", of: node)
    let zero = addScalar(0, dtype: dtype, named: "\(node.name)_zero_weight")
    return try step(.where, [allMasked, zero, weights], "safe_weights", of: node)
  }
}

/// What Attention's decomposition needs to know up front: layout, head counts and sizes, scale, softcap,
/// causality and the sequence lengths of the causal bias.
private struct AttentionShape {
  let isThreeDimensional: Bool
  let dtype: DType
  let queryHeads: Int
  let keyValueHeads: Int
  let keyHeadSize: Int
  let valueHeadSize: Int
  let scale: Float
  let softcap: Float?
  let isCausal: Bool
  /// `qk_matmul_output_mode`: 0 and 1 the scores (after softcap), 2 with the bias added, 3 the weights.
  let scoresOutputMode: Int
  let querySequence: Int?
  let pastSequence: Int
  let keySequence: Int?

  /// Past and present keys together, when known.
  var totalKeySequence: Int? { keySequence.map { pastSequence + $0 } }

  init(_ node: ONNXNode, graph: Graph) throws(ModelError) {
    var types: [TensorType] = []
    for (slot, role) in ["Q", "K", "V"].enumerated() {
      types.append(graph.type(of: try node.requiredOperand(slot, role)))
    }
    let ranks = types.map(\.rank)
    guard ranks == [3, 3, 3] || ranks == [4, 4, 4] else {
      throw node.error("Q, K and V have ranks \(ranks); all 3 or all 4 expected")
    }
    guard types[0].dtype.isFloatingPoint, types.allSatisfy({ $0.dtype == types[0].dtype }) else {
      throw node.error("Q, K and V must share one float type")
    }
    guard node.operand(6) == nil else { throw node.error("nonpad_kv_seqlen is not supported") }
    isThreeDimensional = ranks[0] == 3
    dtype = types[0].dtype
    let attributes = node.attributes
    if isThreeDimensional {
      queryHeads = try attributes.requiredInt("q_num_heads")
      keyValueHeads = try attributes.requiredInt("kv_num_heads")
    } else {
      guard let q = types[0].shape[1].value, let kv = types[1].shape[1].value else {
        throw node.error("the head counts of Q and K must be known")
      }
      (queryHeads, keyValueHeads) = (q, kv)
    }
    guard queryHeads >= 1, keyValueHeads >= 1, queryHeads % keyValueHeads == 0 else {
      throw node.error("\(queryHeads) query heads are not a multiple of \(keyValueHeads) key/value heads")
    }
    keyHeadSize = try Self.headSize(types[0], heads: queryHeads, threeDimensional: isThreeDimensional, "Q", node)
    valueHeadSize = try Self.headSize(types[2], heads: keyValueHeads, threeDimensional: isThreeDimensional, "V", node)
    let givenScale = try attributes.float("scale")
    scale = givenScale ?? 1 / Float(keyHeadSize).squareRoot()
    guard scale > 0, scale.isFinite else { throw node.error("scale \(scale) must be positive and finite") }
    let cap = try attributes.float("softcap", default: 0)
    softcap = cap > 0 ? cap : nil
    isCausal = try attributes.flag("is_causal", default: false)
    scoresOutputMode = try attributes.int("qk_matmul_output_mode", default: 0)
    guard (0...3).contains(scoresOutputMode) else {
      throw node.error("qk_matmul_output_mode \(scoresOutputMode) is not one of 0, 1, 2, 3")
    }
    for window in ["left_window_size", "right_window_size"] where try attributes.int(window, default: -1) >= 0 {
      throw node.error("\(window) (sliding-window attention) is not supported")
    }
    let sequenceAxis = isThreeDimensional ? 1 : 2
    querySequence = types[0].shape[sequenceAxis].value
    let past = node.operand(4).map { graph.type(of: $0).shape[2].value } ?? 0
    guard let past else { throw node.error("the past sequence length must be known") }
    pastSequence = past
    keySequence = types[1].shape[sequenceAxis].value
  }

  /// The per-head size: Q's last axis (4-D), or the hidden size divided among the heads (3-D).
  private static func headSize(
    _ type: TensorType, heads: Int, threeDimensional: Bool, _ role: String, _ node: ONNXNode
  ) throws(ModelError) -> Int {
    guard let last = type.shape[type.rank - 1].value else {
      throw node.error("the last axis of \(role) must have a known size")
    }
    guard threeDimensional else { return last }
    guard last % heads == 0 else {
      throw node.error("\(role)'s hidden size \(last) does not divide into \(heads) heads")
    }
    return last / heads
  }

  /// `[S_q, S_past + S_kv]`: 0 where the key position is at most the query's position plus the past length,
  /// −∞ after it (the upper-left aligned causal mask of ONNX's definition).
  func causalBias(_ node: ONNXNode) throws(ModelError) -> Constant {
    guard let rows = querySequence, let keys = keySequence else {
      throw node.error("is_causal needs known sequence lengths")
    }
    let (columns, overflow) = pastSequence.addingReportingOverflow(keys)
    let (count, countOverflow) = rows.multipliedReportingOverflow(by: columns)
    guard !overflow, !countOverflow, count <= 1 << 24 else {
      throw node.error("the causal mask of \(rows) queries and \(pastSequence) + \(keys) keys is too large")
    }
    var values = [Double](repeating: 0, count: rows * columns)
    for row in 0..<rows {
      for column in 0..<columns where column > row + pastSequence { values[row * columns + column] = -.infinity }
    }
    return Constant(dtype: dtype, dims: [rows, columns], doubles: values)
  }
}
