import ResIR

/// A ConvTranspose whose kernel equals its stride (U-Net and segmentation decoders' `k2 s2`): every input cell
/// writes its own `s₁×…×sₙ` block of the output and the blocks do not overlap, so it is a 1x1 convolution to
/// `M·s₁⋯sₙ` channels followed by moving each channel group into its block (DepthToSpace's CRD order). That
/// multiplies no inserted zeros: stride² fewer multiply-adds than the general spread-and-convolve form.
extension GraphBuilder {
  /// nil when the bias is not a constant (the general form takes any bias).
  mutating func blockwiseConvTranspose(
    _ x: ValueID, _ weight: Constant, _ geometry: TransposedGeometry, _ node: ONNXNode
  ) throws(ModelError) -> Conversion? {
    var bias: Constant?
    if let given = node.operand(2) {
      guard let constant = constant(behind: given) else { return nil }
      bias = constant
    }
    let block = geometry.strides.reduce(1, *)
    let spatial = geometry.spatial
    let outputs = weight.dims[1] * geometry.group
    let pointwise = ConvAttributes(
      kernelShape: Array(repeating: 1, count: spatial), strides: Array(repeating: 1, count: spatial),
      dilations: Array(repeating: 1, count: spatial), padding: .explicit(Array(repeating: 0, count: 2 * spatial)),
      group: geometry.group)
    let pointwiseWeight = addGeneratedConstant(
      "\(node.name)_block_weight", Self.blockWeight(weight, group: geometry.group, block: block))
    let pointwiseBias = bias.map { addGeneratedConstant("\(node.name)_block_bias", Self.repeated($0, block)) }
    let channels = try appendTyped(
      Conversion(.conv(pointwise), [x, pointwiseWeight, pointwiseBias]), named: "\(node.name).blocks")
    let split = addIntegers([-1, outputs] + geometry.strides + geometry.inputSizes, named: "\(node.name)_block_axes")
    let separated = try appendTyped(
      Conversion(.reshape(allowZero: false), [channels, split]), named: "\(node.name).block_axes")
    let interleaved = [0, 1] + (0..<spatial).flatMap { [2 + spatial + $0, 2 + $0] }
    let placed = try appendTyped(Conversion(.transpose(perm: interleaved), [separated]), named: "\(node.name).placed")
    let merged = addIntegers([-1, outputs] + geometry.spreadSizes, named: "\(node.name)_output_shape")
    return Conversion(.reshape(allowZero: false), [placed, merged])
  }

  /// `[C, M/g, s…]` → `[M·S, C/g, 1…]` (S the block size): output channel `m·S + p` takes input channel `c`'s
  /// weight at block position `p`.
  private static func blockWeight(_ weight: Constant, group: Int, block: Int) -> Constant {
    let (inputChannels, outputsPerGroup) = (weight.dims[0], weight.dims[1])
    let inputsPerGroup = inputChannels / group
    let source = weight.doubles()
    var result = [Double](repeating: 0, count: source.count)
    for g in 0..<group {
      for c in 0..<inputsPerGroup {
        for m in 0..<outputsPerGroup {
          let from = ((g * inputsPerGroup + c) * outputsPerGroup + m) * block
          for position in 0..<block {
            let output = (g * outputsPerGroup + m) * block + position
            result[output * inputsPerGroup + c] = source[from + position]
          }
        }
      }
    }
    let spatial = weight.dims.count - 2
    let dims = [group * outputsPerGroup * block, inputsPerGroup] + Array(repeating: 1, count: spatial)
    return Constant(dtype: weight.dtype, dims: dims, doubles: result)
  }

  /// Each bias value `block` times in a row: one per channel of its output channel's block.
  private static func repeated(_ bias: Constant, _ block: Int) -> Constant {
    let values = bias.doubles().flatMap { Array(repeating: $0, count: block) }
    return Constant(dtype: bias.dtype, dims: [values.count], doubles: values)
  }
}
