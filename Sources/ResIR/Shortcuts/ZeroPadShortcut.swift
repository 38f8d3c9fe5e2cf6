/// ResNet's parameter-free "option A" shortcut (He et al. 2016, §4.1), written as the "option B" projection:
/// a 1x1 convolution, no bias, whose weight is the zero-padded identity `[0; I; 0]`.
///
/// Option A subsamples the skip path (`x[:, :, ::s, ::s]`) and appends zero channels. As a convolution it is
/// an ordinary Conv node, so everything that handles convolutions handles it: it fuses with the residual Add
/// like a projection shortcut and lowers to one kernel step, instead of a strided copy per axis plus a Pad.
///
/// **Sampling.** A 1x1 convolution with stride `s` and no padding reads positions `0, s, 2s, ...` of an axis
/// of size `n` and produces `⌈n/s⌉` of them (`⌊(n−1)/s⌋ + 1`): exactly the slice `::s`, odd sizes included
/// (7 positions with stride 2 give positions 0, 2, 4, 6).
///
/// **Exactness.** Output channel `offset + c` is `1·x[c] + Σ 0·x[k]`, which is `x[c]` bit for bit when the
/// inputs are finite (adding a zero product changes nothing but the sign of a zero), and every other output
/// channel is a sum of zero products, 0. A non-finite input differs: `0·∞` is NaN where zero padding writes 0.
package struct ZeroPadShortcut: Sendable, Hashable {
  package let inputChannels: Int
  package let outputChannels: Int
  /// How many zero channels come before the copied ones (ResNet pads on both sides; a repair appends).
  package let channelOffset: Int
  /// One stride per spatial axis.
  package let strides: [Int]

  /// The largest weight made (`outputChannels × inputChannels` elements, 64 MB as f32): real shortcuts have
  /// at most a few million elements, and a hostile model must not make the compiler allocate gigabytes.
  package static let maximumWeightElements = 1 << 24

  package init(inputChannels: Int, outputChannels: Int, channelOffset: Int, strides: [Int]) throws(ShortcutRefusal) {
    guard inputChannels > 0 else { throw ShortcutRefusal("the skip path has \(inputChannels) channels") }
    guard channelOffset >= 0 else { throw ShortcutRefusal("channel offset \(channelOffset) is negative") }
    let (end, overflow) = channelOffset.addingReportingOverflow(inputChannels)
    guard !overflow, end <= outputChannels else {
      throw ShortcutRefusal(
        "channels shrink from \(inputChannels) to \(outputChannels) on the skip path; zero padding only adds channels")
    }
    guard strides.allSatisfy({ $0 >= 1 }) else {
      throw ShortcutRefusal("strides \(listText(strides)) must be positive")
    }
    let (elements, tooMany) = outputChannels.multipliedReportingOverflow(by: inputChannels)
    guard !tooMany, elements <= Self.maximumWeightElements else {
      throw ShortcutRefusal(
        "the projection weight [\(outputChannels),\(inputChannels),1,1] would have more than "
          + "\(Self.maximumWeightElements) elements")
    }
    self.inputChannels = inputChannels
    self.outputChannels = outputChannels
    self.channelOffset = channelOffset
    self.strides = strides
  }

  /// `[M, C, 1, 1, ...]`: the weight's dims (one 1 per spatial axis).
  package var weightDims: [Int] {
    [outputChannels, inputChannels] + [Int](repeating: 1, count: strides.count)
  }

  /// A 1x1 kernel with the strides, no padding, no dilation, one group.
  package var attributes: ConvAttributes {
    let ones = [Int](repeating: 1, count: strides.count)
    return ConvAttributes(
      kernelShape: ones, strides: strides, dilations: ones,
      padding: .explicit([Int](repeating: 0, count: 2 * strides.count)), group: 1)
  }

  /// The weight in `dtype`: 1 where output channel `channelOffset + c` reads input channel `c`, else 0.
  /// Nil for an element type a convolution does not take (integers, bool).
  package func weight(_ dtype: DType) -> Constant? {
    let bytes: TensorBytes
    switch dtype {
    case .float32: bytes = identityBytes(one: Float(1), zero: 0)
    case .float16: bytes = identityBytes(one: Float16(1).bitPattern, zero: 0)
    case .float64: bytes = identityBytes(one: Double(1), zero: 0)
    case .int64, .int32, .int8, .uint8, .bool: return nil
    }
    return Constant(dtype: dtype, dims: weightDims, bytes: bytes)
  }

  private func identityBytes<Scalar: BitwiseCopyable>(one: Scalar, zero: Scalar) -> TensorBytes {
    var scalars = [Scalar](repeating: zero, count: outputChannels * inputChannels)
    for channel in 0..<inputChannels {
      scalars[(channelOffset + channel) * inputChannels + channel] = one
    }
    return TensorBytes(copyingScalars: scalars)
  }

  /// The stride that takes an axis of `skip` positions to `main` positions by sampling `0, s, 2s, ...`: the
  /// smallest `s` with `⌈skip/s⌉ = main`, or nil when there is none (the main path is longer than the skip,
  /// or no integer stride gives its length, e.g. 7 → 5).
  ///
  /// Several strides can give one length (`⌈4/2⌉ = ⌈4/3⌉ = 2`); the smallest is the one a strided main path
  /// built from the usual "same"-padded windows has, and the only one that samples evenly when `main`
  /// divides `skip`. It is `⌈skip/main⌉`, because `⌈skip/s⌉ ≤ main` exactly when `s ≥ skip/main`.
  package static func stride(from skip: Int, to main: Int) -> Int? {
    guard skip >= 1, main >= 1, main <= skip else { return nil }
    let stride = skip / main + (skip % main == 0 ? 0 : 1)
    let sampled = skip / stride + (skip % stride == 0 ? 0 : 1)
    return sampled == main ? stride : nil
  }
}

/// Why a shape cannot be a zero-pad shortcut, said so the user can see which dimension is at fault.
package struct ShortcutRefusal: Error, Sendable, Hashable {
  package let reason: String

  package init(_ reason: String) {
    self.reason = reason
  }
}
