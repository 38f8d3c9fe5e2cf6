import ResIR

/// A strided ConvTranspose as one convolution per output phase, all phases in one Conv (the "sub-pixel"
/// form): output position `o` with `o + pad = s·q + r` is `Σₜ x[q − t] · w[s·t + r]`, a correlation of the
/// input with the kernel's taps of phase `r`, reversed. So a Conv with kernel `K = ⌈k / s⌉` (taps beyond `k`
/// are zero) and `K − 1` leading zeros makes `M·sⁿ` channels, one per output channel and phase; a Transpose
/// moves each phase's plane into its place (DepthToSpace's CRD order) and a Slice removes the pads.
///
/// It multiplies no inserted zeros (the spread form does, sⁿ times the work) and reads the input once per tap;
/// a kernel equal to its stride (U-Net's k2 s2) is a 1x1 Conv. Dilated ConvTranspose takes the spread form.
extension GraphBuilder {
  /// nil when the bias is not a constant (the spread form takes any bias).
  mutating func subpixelConvTranspose(
    _ x: ValueID, _ weight: Constant, _ geometry: TransposedGeometry, _ node: ONNXNode
  ) throws(ModelError) -> Conversion? {
    var bias: Constant?
    if let given = node.operand(2) {
      guard let constant = constant(behind: given) else { return nil }
      bias = constant
    }
    let spatial = geometry.spatial
    let strides = geometry.strides
    var taps: [Int] = []
    var ends: [Int] = []
    let begins = Array(geometry.transposedPads.prefix(spatial))
    for axis in 0..<spatial {
      let stride = strides[axis]
      taps.append((geometry.kernel[axis] + stride - 1) / stride)
      // Phase rows needed: every position up to output + leading pad, `stride` positions per row.
      let rows: Int = (geometry.outputSizes[axis] + begins[axis] + stride - 1) / stride
      ends.append(max(0, rows - geometry.inputSizes[axis]))
    }
    guard Self.phaseWeightFits(weight, strides: strides, taps: taps) else { return nil }
    let phases = ConvAttributes(
      kernelShape: taps, strides: Array(repeating: 1, count: spatial),
      dilations: Array(repeating: 1, count: spatial), padding: .explicit(taps.map { $0 - 1 } + ends),
      group: geometry.group)
    let phaseWeight = addGeneratedConstant(
      "\(node.name)_phase_weight", Self.phaseWeight(weight, group: geometry.group, strides: strides, taps: taps))
    let block = strides.reduce(1, *)
    let phaseBias = bias.map { addGeneratedConstant("\(node.name)_phase_bias", Self.repeated($0, block)) }
    let planes = try appendTyped(
      Conversion(.conv(phases), [x, phaseWeight, phaseBias]), named: "\(node.name).phases")
    let computed = (0..<spatial).map { geometry.inputSizes[$0] + ends[$0] }
    let outputs = weight.dims[1] * geometry.group
    let split = addIntegers([-1, outputs] + strides + computed, named: "\(node.name)_phase_axes")
    let separated = try appendTyped(
      Conversion(.reshape(allowZero: false), [planes, split]), named: "\(node.name).phase_axes")
    let interleaved = [0, 1] + (0..<spatial).flatMap { [2 + spatial + $0, 2 + $0] }
    let placed = try appendTyped(Conversion(.transpose(perm: interleaved), [separated]), named: "\(node.name).placed")
    let full = (0..<spatial).map { strides[$0] * computed[$0] }
    let fullShape = addIntegers([-1, outputs] + full, named: "\(node.name)_full_shape")
    let merge = Conversion(.reshape(allowZero: false), [placed, fullShape])
    let stops = (0..<spatial).map { begins[$0] + geometry.outputSizes[$0] }
    guard begins.contains(where: { $0 > 0 }) || stops != full else { return merge }
    let merged = try appendTyped(merge, named: "\(node.name).full")
    let crop: [ValueID?] = [
      merged, addIntegers(begins, named: "\(node.name)_starts"), addIntegers(stops, named: "\(node.name)_stops"),
      addIntegers((0..<spatial).map { $0 + 2 }, named: "\(node.name)_axes"),
    ]
    return Conversion(.slice, crop)
  }

  /// Whether the phase weight stays within `phaseWeightGrowth` times the kernel's own size (or 2^20 floats):
  /// with strides far beyond the kernel most phases are all zeros (a 2×2 kernel at stride 65,536 would need
  /// 2^32 phases of one tap each), and such a layer takes the spread form.
  private static func phaseWeightFits(_ weight: Constant, strides: [Int], taps: [Int]) -> Bool {
    var phaseFloats = weight.dims[0] * weight.dims[1]
    for factor in strides + taps {
      let (product, overflow) = phaseFloats.multipliedReportingOverflow(by: factor)
      guard !overflow, product <= 1 << 40 else { return false }
      phaseFloats = product
    }
    let kernelFloats = weight.dims.reduce(1, *)
    return phaseFloats <= max(phaseWeightGrowth * kernelFloats, 1 << 20)
  }

  /// How many times the kernel's size its phase weight may take (a 1x1 kernel at stride 4 takes 16).
  static let phaseWeightGrowth = 16

  /// `[C, M/g, k…]` → `[M·S, C/g, K…]` (S the product of the strides, K the taps per axis): output channel
  /// `m·S + r` (r the phase, row-major) at tap `u` takes the kernel's `s·(K − 1 − u) + r`, zero beyond `k`.
  private static func phaseWeight(_ weight: Constant, group: Int, strides: [Int], taps: [Int]) -> Constant {
    let (inputChannels, outputsPerGroup) = (weight.dims[0], weight.dims[1])
    let inputsPerGroup = inputChannels / group
    let kernel = Array(weight.dims.dropFirst(2))
    let kernelArea = kernel.reduce(1, *)
    let tapArea = taps.reduce(1, *)
    let block = strides.reduce(1, *)
    let source = weight.doubles()
    var result = [Double](repeating: 0, count: group * outputsPerGroup * block * inputsPerGroup * tapArea)
    for phase in 0..<block {
      let residues = Self.coordinates(phase, in: strides)
      for tap in 0..<tapArea {
        let position = Self.coordinates(tap, in: taps)
        var kernelIndex = 0
        var inside = true
        for axis in kernel.indices {
          let k = strides[axis] * (taps[axis] - 1 - position[axis]) + residues[axis]
          inside = inside && k < kernel[axis]
          kernelIndex = kernelIndex * kernel[axis] + k
        }
        guard inside else { continue }
        for g in 0..<group {
          for c in 0..<inputsPerGroup {
            for m in 0..<outputsPerGroup {
              let from = ((g * inputsPerGroup + c) * outputsPerGroup + m) * kernelArea + kernelIndex
              let output = (g * outputsPerGroup + m) * block + phase
              result[(output * inputsPerGroup + c) * tapArea + tap] = source[from]
            }
          }
        }
      }
    }
    let dims = [group * outputsPerGroup * block, inputsPerGroup] + taps
    return Constant(dtype: weight.dtype, dims: dims, doubles: result)
  }

  /// The row-major coordinates of `index` in a box of `sizes`.
  private static func coordinates(_ index: Int, in sizes: [Int]) -> [Int] {
    var remainder = index
    var result = [Int](repeating: 0, count: sizes.count)
    for axis in sizes.indices.reversed() {
      result[axis] = remainder % sizes[axis]
      remainder /= sizes[axis]
    }
    return result
  }

  /// Each bias value `block` times in a row: one per phase of its output channel.
  private static func repeated(_ bias: Constant, _ block: Int) -> Constant {
    let values = bias.doubles().flatMap { Array(repeating: $0, count: block) }
    return Constant(dtype: bias.dtype, dims: [values.count], doubles: values)
  }
}
