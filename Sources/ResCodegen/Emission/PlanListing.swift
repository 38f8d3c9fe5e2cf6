import ResPlan

/// The text listing of a plan (`--dump plan`): bindings, buffers with where they live, and steps with their
/// parameters, one per line, rendered from the encoded metadata so it shows exactly what the file holds; then
/// the compiler's decision about each Concat operand (placed in the output, or copied and why).
enum PlanListing {
  static func render(_ metadata: Rescompile_Plan_PlanMetadata, concats: ConcatReport) -> String {
    var lines = [
      "plan \"\(metadata.modelName)\" (\(metadata.producer)): \(metadata.steps.count) steps, "
        + "\(metadata.buffers.count) buffers, arena \(metadata.arenaBytes) bytes (naive \(metadata.naiveArenaBytes)), "
        + "concat \(metadata.concatCopiedBytes) bytes copied, \(metadata.concatAliasedBytes) aliased",
      "inputs: " + metadata.inputs.map { "\($0.name)=%\($0.buffer)" }.joined(separator: ", "),
      "outputs: " + metadata.outputs.map { "\($0.name)=%\($0.buffer)" }.joined(separator: ", "),
      "buffers:",
    ]
    for (index, buffer) in metadata.buffers.enumerated() {
      lines.append("  %\(index) = \(type(buffer)) \(storage(buffer))\(packing(buffer)) \"\(buffer.name)\"")
    }
    lines.append("steps:")
    for (index, step) in metadata.steps.enumerated() {
      let inputs = step.inputs.map { "%\($0)" }.joined(separator: ", ")
      let outputs = step.outputs.map { "%\($0)" }.joined(separator: ", ")
      let params = step.params.map(describe) ?? ""
      lines.append("  \(index): (\(outputs)) = \(step.kernel)(\(inputs)) \(params) \"\(step.name)\"")
    }
    if !concats.operands.isEmpty {
      lines.append("concat operands:")
      lines += concats.lines.map { "  " + $0 }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// `f32[1,64,56,56]`, with ` nhwc` after a channels-last buffer's logical shape.
  private static func type(_ buffer: Rescompile_Plan_Buffer) -> String {
    let layout = buffer.layout == .channelsLast ? " nhwc" : ""
    return "\(dtypeName(buffer.dtype))[\(buffer.shape.map(String.init).joined(separator: ","))]\(layout)"
  }

  private static func storage(_ buffer: Rescompile_Plan_Buffer) -> String {
    switch buffer.storage {
    case .arenaOffset(let offset): "arena@\(offset)"
    case .constantOffset(let offset): "const@\(offset)"
    case nil: "nowhere"
    }
  }

  /// ` packed(16-wide)` after a constant stored in a microkernel's panels, ` packed(winograd F(4x4), 16-wide)`
  /// after 3x3 weights transformed for Winograd (` stride 2` after the tile for the stride-2 transform): what
  /// the runtime reads in place (`--winograd-tile` shows here).
  private static func packing(_ buffer: Rescompile_Plan_Buffer) -> String {
    guard buffer.hasPacking else { return "" }
    let packing = buffer.packing
    let tile = packing.winogradOutputTile
    let stride = packing.winogradStride > 1 ? " stride \(packing.winogradStride)" : ""
    let transform = tile == 0 ? "" : "winograd F(\(tile)x\(tile))\(stride), "
    return " packed(\(transform)\(packing.width)-wide)"
  }

  private static func dtypeName(_ dtype: Rescompile_Plan_DataType) -> String {
    switch dtype {
    case .f32: "f32"
    case .f16: "f16"
    case .f64: "f64"
    case .i64: "i64"
    case .i32: "i32"
    case .i8: "i8"
    case .u8: "u8"
    case .bool: "bool"
    case .unspecified: "unspecified"
    case .UNRECOGNIZED(let value): "dtype\(value)"
    }
  }

  /// `{kernel_shape=[3,3] strides=[1,1] ...}`: the parameters that differ from their defaults.
  private static func describe(_ params: Rescompile_Plan_Step.OneOf_Params) -> String {
    let fields: [(String, String)]
    switch params {
    case .conv(let p):
      fields = [
        ("kernel_shape", list(p.kernelShape)), ("strides", list(p.strides)), ("dilations", list(p.dilations)),
        ("pads", list(p.pads)), ("group", "\(p.group)"), ("epilogue", epilogue(p.epilogue)),
      ] + (p.hasPrologue ? [("prologue", prologue(p.prologue))] : [])
    case .gemm(let p):
      fields = [
        ("alpha", "\(p.alpha)"), ("beta", "\(p.beta)"), ("trans_a", "\(p.transA)"), ("trans_b", "\(p.transB)"),
        ("epilogue", epilogue(p.epilogue)),
      ]
    case .matmul(let p):
      // The perms only when set, so listings of MatMuls that read and write their buffers as they are do not
      // change.
      let perms = [("a_perm", p.aPerm), ("b_perm", p.bPerm), ("y_perm", p.yPerm)].filter { !$0.1.isEmpty }
      fields = [("epilogue", epilogue(p.epilogue))] + perms.map { ($0.0, list($0.1)) }
    case .channelAffine(let p): fields = [("axis", "\(p.axis)"), ("epilogue", epilogue(p.epilogue))]
    case .layerNorm(let p):
      fields = [
        ("axis", "\(p.axis)"), ("epsilon", "\(p.epsilon)"), ("has_bias", "\(p.hasBias_p)"),
        ("writes_statistics", "\(p.writesStatistics)"), ("has_residual", "\(p.hasResidual_p)"),
      ]
    case .lrn(let p):
      fields = [("size", "\(p.size)"), ("alpha", "\(p.alpha)"), ("beta", "\(p.beta)"), ("bias", "\(p.bias)")]
    case .unary(let p): fields = [("kind", "\(p.kind)"), ("alpha", "\(p.alpha)"), ("beta", "\(p.beta)")]
    case .binary(let p): fields = [("kind", "\(p.kind)")]
    case .cast(let p): fields = p.roundToFloat16 ? [("round_to_float16", "true")] : []
    case .where, .gatedSkip, .reorder: fields = []
    case .pool(let p):
      fields = [
        ("kind", "\(p.kind)"), ("kernel_shape", list(p.kernelShape)), ("strides", list(p.strides)),
        ("dilations", list(p.dilations)), ("pads", list(p.pads)), ("count_include_pad", "\(p.countIncludePad)"),
        ("ceil_mode", "\(p.ceilMode)"),
      ]
    case .reduceMean(let p): fields = [("axes", list(p.axes))]
    case .softmax(let p): fields = [("axis", "\(p.axis)"), ("coerced_2d", "\(p.coerced2D)")]
    case .copy(let p):
      fields = [
        ("shape", list(p.shape)), ("src_offset", "\(p.srcOffset)"), ("src_strides", list(p.srcStrides)),
        ("dst_offset", "\(p.dstOffset)"), ("dst_strides", list(p.dstStrides)),
      ]
    case .gather(let p): fields = [("axis", "\(p.axis)")]
    case .pad(let p): fields = [("mode", "\(p.mode)"), ("pads", list(p.pads))]
    case .scatterNd(let p): fields = [("reduction", "\(p.reduction)")]
    case .gatherElements(let p): fields = [("axis", "\(p.axis)")]
    case .cumSum(let p): fields = [("axis", "\(p.axis)"), ("exclusive", "\(p.exclusive)"), ("reverse", "\(p.reverse)")]
    case .trilu(let p): fields = [("upper", "\(p.upper)"), ("k", "\(p.k)")]
    case .argReduce(let p):
      fields = [("max", "\(p.max)"), ("axis", "\(p.axis)"), ("select_last_index", "\(p.selectLastIndex)")]
    case .topK(let p): fields = [("axis", "\(p.axis)"), ("largest", "\(p.largest)")]
    case .resize(let p):
      fields = [
        ("mode", "\(p.mode)"), ("coordinates", "\(p.coordinates)"), ("nearest", "\(p.nearest)"),
        ("scales", "[" + p.scales.map { "\($0)" }.joined(separator: ",") + "]"),
      ]
    case .fill(let p): fields = [("value", "\(p.value)")]
    case .recurrent(let p):
      fields = [
        ("cell", "\(p.cell)"), ("direction", "\(p.direction)"), ("hidden_size", "\(p.hiddenSize)"),
        ("activations", "[" + p.activations.map(activation).joined(separator: ",") + "]"),
        ("clip", p.hasClip_p ? "\(p.clip)" : "none"), ("input_forget", "\(p.inputForget)"),
        ("linear_before_reset", "\(p.linearBeforeReset)"), ("batch_major", "\(p.batchMajor)"),
        ("has_bias", "\(p.hasBias_p)"), ("has_sequence_lens", "\(p.hasSequenceLens_p)"),
        ("has_initial_h", "\(p.hasInitialH_p)"), ("has_initial_c", "\(p.hasInitialC_p)"),
        ("has_peepholes", "\(p.hasPeepholes_p)"),
      ]
    }
    return "{" + fields.map { "\($0.0)=\($0.1)" }.joined(separator: " ") + "}"
  }

  private static func list(_ values: [Int64]) -> String {
    "[" + values.map(String.init).joined(separator: ",") + "]"
  }

  /// `(scale_shift,relu)`: the input transform, in the epilogue's spelling.
  private static func prologue(_ prologue: Rescompile_Plan_ConvPrologue) -> String {
    let activation = prologue.activation.kind != .none ? "," + activation(prologue.activation) : ""
    return "(scale_shift" + activation + ")"
  }

  private static func epilogue(_ epilogue: Rescompile_Plan_Epilogue) -> String {
    var parts: [String] = []
    if epilogue.hasBias_p { parts.append("bias") }
    if epilogue.hasResidual_p { parts.append("residual") }
    if epilogue.activation.kind != .none { parts.append(activation(epilogue.activation)) }
    return "(" + parts.joined(separator: ",") + ")"
  }

  private static func activation(_ activation: Rescompile_Plan_Activation) -> String {
    "\(activation.kind)(\(activation.alpha),\(activation.beta))"
  }
}
