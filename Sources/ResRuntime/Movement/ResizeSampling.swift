import ResPlan

/// The coordinate arithmetic of `f32_resize` (plan.proto `ResizeParams`), per axis.
struct ResizeSampling {
  let params: Rescompile_Plan_ResizeParams

  init(_ params: Rescompile_Plan_ResizeParams, _ operands: StepOperands) throws(RuntimeError) {
    if case .UNRECOGNIZED(let raw) = params.mode { throw operands.failure("resize mode \(raw) is unknown") }
    if case .UNRECOGNIZED(let raw) = params.coordinates {
      throw operands.failure("resize coordinate mode \(raw) is unknown")
    }
    if case .UNRECOGNIZED(let raw) = params.nearest { throw operands.failure("resize nearest mode \(raw) is unknown") }
    self.params = params
  }

  var tapsPerPosition: Int {
    switch params.mode {
    case .linear: 2
    case .cubic: 4
    case .nearest, .UNRECOGNIZED: 1
    }
  }

  /// For each output position along one axis, its taps: input positions and weights.
  func taps(inLength: Int, outLength: Int, scale: Double) -> [[(index: Int, weight: Double)]] {
    let last = Double(max(inLength - 1, 0))
    return (0..<outLength).map { position in
      let x = Self.bounded(coordinate(position, scale: scale, inLength: inLength, outLength: outLength))
      switch params.mode {
      case .linear:
        let clamped = min(max(x, 0), last)
        let low = clamped.rounded(.down)
        return [(Int(low), 1 - (clamped - low)), (min(Int(low) + 1, inLength - 1), clamped - low)]
      case .cubic: return cubicTaps(x, inLength: inLength)
      case .nearest, .UNRECOGNIZED: return [(Int(min(max(rounded(x), 0), last)), 1)]
      }
    }
  }

  /// Keys' cubic convolution weights of the four taps around `x` (coefficient `cubic_coeff_a`), positions
  /// clamped to the axis; with `exclude_outside`, taps past the edges weigh 0 and the rest are renormalized.
  private func cubicTaps(_ x: Double, inLength: Int) -> [(index: Int, weight: Double)] {
    let a = Double(params.cubicCoeffA)
    let low = x.rounded(.down)
    let r = x - low
    var weights = [
      ((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
      ((a + 2) * r - (a + 3)) * r * r + 1,
      ((a + 2) * (1 - r) - (a + 3)) * (1 - r) * (1 - r) + 1,
      ((a * (2 - r) - 5 * a) * (2 - r) + 8 * a) * (2 - r) - 4 * a,
    ]
    let positions = (0..<4).map { Int(low) - 1 + $0 }
    if params.excludeOutside {
      for k in 0..<4 where positions[k] < 0 || positions[k] >= inLength { weights[k] = 0 }
      let total = weights.reduce(0, +)
      if total != 0 { weights = weights.map { $0 / total } }
    }
    return (0..<4).map { (min(max(positions[$0], 0), inLength - 1), weights[$0]) }
  }

  private func coordinate(_ position: Int, scale: Double, inLength: Int, outLength: Int) -> Double {
    let out = Double(position)
    // The specification's resized length is `scale · inLength`, a real number (plan.proto ResizeParams).
    let resizedLength = scale * Double(inLength)
    switch params.coordinates {
    case .halfPixel: return (out + 0.5) / scale - 0.5
    case .halfPixelSymmetric:
      let adjustment = Double(outLength) / resizedLength
      return Double(inLength) / 2 * (1 - adjustment) + (out + 0.5) / scale - 0.5
    case .pytorchHalfPixel: return resizedLength > 1 ? (out + 0.5) / scale - 0.5 : 0
    case .alignCorners: return resizedLength == 1 ? 0 : out * Double(inLength - 1) / (resizedLength - 1)
    case .asymmetric, .UNRECOGNIZED: return out / scale
    }
  }

  /// `x` within ±2⁵², NaN as 0: a hostile plan's scale (1e-19, or one whose resized length rounds to 0) puts
  /// a coordinate past what converts to `Int`, or makes it NaN, and the conversion would trap. Every
  /// coordinate of a real resize is far inside, and past 2⁵² a double has no fraction left, so the taps of any
  /// other coordinate are unchanged: all of them clamp to the same edge.
  static func bounded(_ x: Double) -> Double {
    x.isNaN ? 0 : min(max(x, -0x1p52), 0x1p52)
  }

  private func rounded(_ x: Double) -> Double {
    let isHalf = x - x.rounded(.down) == 0.5
    switch params.nearest {
    case .floor: return x.rounded(.down)
    case .ceil: return x.rounded(.up)
    case .roundPreferFloor, .UNRECOGNIZED: return isHalf ? x.rounded(.down) : x.rounded()
    case .roundPreferCeil: return isHalf ? x.rounded(.up) : x.rounded()
    }
  }
}
