import ResKernels

/// The im2col matrix of a convolution whose windows never overlap (`ConvShape.hasDisjointWindows`: a strided,
/// unpadded 1×1 such as a ResNet downsample, or a patch embedding), copied into a contiguous `(channel, tap) ×
/// output positions` matrix that the GEMM then reads like a stride-1 1×1 convolution's input. Each input element
/// is copied at most once.
///
/// One sequential pass over the input rows it uses; packing the GEMM's panels straight from the strided
/// input instead touched two cache lines of every channel for each 16-column panel, a pattern the hardware
/// prefetchers do not follow.
enum StridedSampling {
  /// Writes the row of tap `tap` (of `axes.kernelVolume`, `(kd, kh, kw)` in that order) of one channel's
  /// plane to `destination`: the `axes.outputPlane` input positions that tap reads, in output order.
  static func copyTap(
    _ plane: UnsafePointer<Float>, tap: Int, axes: WindowAxes, into destination: UnsafeMutablePointer<Float>
  ) {
    let (inH, inW) = (axes.input[1], axes.input[2])
    let (outD, outH, outW) = (axes.output[0], axes.output[1], axes.output[2])
    let (kernelH, kernelW) = (axes.kernel[1], axes.kernel[2])
    let (kd, kh, kw) = (tap / (kernelH * kernelW), tap / kernelW % kernelH, tap % kernelW)
    let stride = axes.strides[2]
    var target = destination
    for od in 0..<outD {
      for oh in 0..<outH {
        let row = plane + ((od * axes.strides[0] + kd) * inH + oh * axes.strides[1] + kh) * inW + kw
        copyRow(row, stride: stride, inputWidth: inW - kw, count: outW, into: target)
        target += outW
      }
    }
  }

  /// `count` values `stride` apart from `row`: sixteen at a time with two vector loads at stride 2 where
  /// the loads stay inside the row, one by one otherwise.
  @inline(__always)
  private static func copyRow(
    _ row: UnsafePointer<Float>, stride: Int, inputWidth: Int, count: Int, into destination: UnsafeMutablePointer<Float>
  ) {
    var column = 0
    if stride == 2 {
      while column + 16 <= count && 2 * column + 32 <= inputWidth {
        VectorAccess.store(VectorAccess.loadEvenLanes(row + 2 * column), destination + column)
        column += 16
      }
    }
    while column < count {
      destination[column] = row[column * stride]
      column += 1
    }
  }
}
