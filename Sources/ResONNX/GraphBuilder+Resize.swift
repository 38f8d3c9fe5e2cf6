import ResIR

/// Resize (opset 10+) and Upsample (7, 9): every output size is settled here, from constant scales or sizes
/// and X's static dimensions, so the IR's Resize carries its whole geometry (segmentation heads, FPNs and
/// U-Nets upsample to sizes the exporter computes from the input's shape, which inference knows).
///
/// Nearest, linear and cubic modes with every coordinate mode but `tf_crop_and_resize` are supported;
/// antialiasing is refused with the reason.
extension GraphBuilder {
  mutating func convertResize(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try node.requiredOperand(0, "X")
    let attributes = node.attributes
    let mode = try resizeMode(node, default: "nearest")
    let legacy = node.opset < 11
    let coordinates: ResizeCoordinates
    if legacy {
      coordinates = .asymmetric
    } else {
      let name = try attributes.string("coordinate_transformation_mode", default: "half_pixel")
      guard let known = ResizeCoordinates(rawValue: name) else {
        throw node.error(
          "coordinate_transformation_mode '\(name)' is not supported (half_pixel, half_pixel_symmetric, "
            + "pytorch_half_pixel, align_corners and asymmetric are)")
      }
      coordinates = known
    }
    let nearestName = try attributes.string("nearest_mode", default: "round_prefer_floor")
    guard let nearest = NearestRounding(rawValue: nearestName) else {
      throw node.error("nearest_mode '\(nearestName)' is not one of round_prefer_floor, round_prefer_ceil, floor, ceil")
    }
    if try attributes.int("antialias", default: 0) != 0 { throw node.error("antialias=1 is not supported") }
    let scalesOperand = legacy ? node.operand(1) : node.operand(2)
    let sizesOperand = legacy ? nil : node.operand(3)
    let geometry = try resizeGeometry(
      node, x, scales: try nonEmptyFloats(scalesOperand, "scales", node),
      sizes: try sizesOperand.map { value throws(ModelError) in
        try constantIntegers(value, operand: "sizes", of: node)
      },
      axes: try attributes.ints("axes"), policy: try attributes.string("keep_aspect_ratio_policy", default: "stretch"))
    return Conversion(
      .resize(
        ResizeAttributes(
          mode: mode, coordinates: coordinates, nearestRounding: legacy ? .floor : nearest, scales: geometry.scales,
          sizes: geometry.sizes, cubicCoefficient: try attributes.float("cubic_coeff_a", default: -0.75),
          excludeOutside: try attributes.flag("exclude_outside", default: false))),
      [x])
  }

  /// Upsample: scales as an attribute (opset 7) or an input (9), asymmetric coordinates, nearest by floor.
  mutating func convertUpsample(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try node.requiredOperand(0, "X")
    let mode = try resizeMode(node, default: "nearest")
    let scales =
      node.opset < 9 ? try node.attributes.floats("scales") : try nonEmptyFloats(node.operand(1), "scales", node)
    let geometry = try resizeGeometry(node, x, scales: scales, sizes: nil, axes: nil, policy: "stretch")
    return Conversion(
      .resize(
        ResizeAttributes(
          mode: mode, coordinates: .asymmetric, nearestRounding: .floor, scales: geometry.scales,
          sizes: geometry.sizes)),
      [x])
  }

  private func resizeMode(_ node: ONNXNode, default fallback: String) throws(ModelError) -> ResizeMode {
    let name = try node.attributes.string("mode", default: fallback)
    // Before opset 11, linear was also spelled "bilinear" by some exporters.
    guard let mode = ResizeMode(rawValue: name == "bilinear" ? "linear" : name) else {
      throw node.error("mode '\(name)' is not one of nearest, linear, cubic")
    }
    return mode
  }

  /// A constant float operand, nil when absent or empty (an empty `scales` means "use sizes").
  private func nonEmptyFloats(_ value: ValueID?, _ operand: String, _ node: ONNXNode) throws(ModelError) -> [Float]? {
    guard let value else { return nil }
    guard let constant = constant(behind: value) else { throw node.error("operand '\(operand)' must be a constant") }
    guard constant.dtype.isFloatingPoint else {
      throw node.error("operand '\(operand)' must hold floats, not \(constant.dtype.onnxName)")
    }
    let values = constant.doubles().map { Float($0) }
    return values.isEmpty ? nil : values
  }

  /// Per axis of X, the output length (−1: unchanged) and the factor the coordinates use, from scales or
  /// sizes over `axes` (every axis when nil), as ONNX defines them.
  private func resizeGeometry(
    _ node: ONNXNode, _ x: ValueID, scales: [Float]?, sizes: [Int]?, axes: [Int]?, policy: String
  ) throws(ModelError) -> (scales: [Float], sizes: [Int]) {
    let shape = graph.type(of: x).shape
    // In the given order: scales and sizes follow it.
    var resized = Array(shape.indices)
    if let axes {
      resized = []
      for axis in axes { resized.append(try normalizedAxis(axis, rank: shape.count, of: node, what: "axes entry")) }
      guard Set(resized).count == resized.count else { throw node.error("axes \(axes) repeat an axis") }
    }
    var axisScales = [Float](repeating: 1, count: shape.count)
    var axisSizes = [Int](repeating: -1, count: shape.count)
    if let sizes {
      guard scales == nil else { throw node.error("scales and sizes are both given; exactly one may be") }
      guard sizes.count == resized.count, sizes.allSatisfy({ $0 >= 0 }) else {
        throw node.error("sizes \(sizes) must hold \(resized.count) non-negative lengths")
      }
      let lengths = try resized.map { axis throws(ModelError) in try knownLength(shape, axis, node) }
      let ratios = zip(sizes, lengths).map { Double($0) / Double(max($1, 1)) }
      for (k, axis) in resized.enumerated() {
        switch policy {
        case "stretch":
          axisScales[axis] = Float(sizes[k]) / Float(max(lengths[k], 1))
          axisSizes[axis] = sizes[k]
        case "not_larger", "not_smaller":
          let common = policy == "not_larger" ? ratios.min() ?? 1 : ratios.max() ?? 1
          axisScales[axis] = Float(common)
          axisSizes[axis] = try resizedLength(common * Double(lengths[k]), rounding: .toNearestOrEven, node)
        default:
          throw node.error("keep_aspect_ratio_policy '\(policy)' is not one of stretch, not_larger, not_smaller")
        }
      }
    } else if let scales {
      guard scales.count == resized.count, scales.allSatisfy({ $0.isFinite && $0 > 0 }) else {
        throw node.error("scales \(scales) must hold \(resized.count) positive factors")
      }
      for (k, axis) in resized.enumerated() where scales[k] != 1 {
        axisScales[axis] = scales[k]
        axisSizes[axis] = try resizedLength(Double(try knownLength(shape, axis, node)) * Double(scales[k]), rounding: .down, node)
      }
    } else {
      throw node.error("neither scales nor sizes is given")
    }
    for axis in shape.indices where axisScales[axis] == 1 && axisSizes[axis] == shape[axis].value {
      axisSizes[axis] = -1
    }
    return (axisScales, axisSizes)
  }

  /// A resized length computed in floating point, rounded, as a whole number: at most 2^31 (the bound of every
  /// other size the importer accepts), so that a scale of 5e18 is an error, not a trap in the conversion.
  private func resizedLength(
    _ length: Double, rounding rule: FloatingPointRoundingRule, _ node: ONNXNode
  ) throws(ModelError) -> Int {
    let rounded = length.rounded(rule)
    guard rounded.isFinite, rounded >= 0, rounded <= Double(1 << 31) else {
      throw node.error("the resized length \(length) is out of range (at most 2^31)")
    }
    return Int(rounded)
  }

  private func knownLength(_ shape: [Dim], _ axis: Int, _ node: ONNXNode) throws(ModelError) -> Int {
    guard let length = shape[axis].value else {
      throw node.error(
        "axis \(axis) of X is \(shape[axis]), not a number, so its resized length is not known; give the symbolic "
          + "input dimensions their sizes while the model is read (--dim NAME=VALUE)")
    }
    return length
  }
}
