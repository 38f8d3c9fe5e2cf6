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
  /// Writes the rows of taps `(kd, kh, 0..<kernelW)` of one channel's plane to `destination`, one after
  /// another: each the `axes.outputPlane` input positions that tap reads, in output order.
  static func copyTaps(
    _ plane: UnsafePointer<Float>, kd: Int, kh: Int, axes: WindowAxes, into destination: UnsafeMutablePointer<Float>
  ) {
    let (inH, inW) = (axes.input[1], axes.input[2])
    let (outD, outH, outW) = (axes.output[0], axes.output[1], axes.output[2])
    let kernelW = axes.kernel[2]
    let transposes = kernelW >= TransposeMicrokernel8x8.size && outW >= TransposeMicrokernel8x8.size
    for od in 0..<outD {
      for oh in 0..<outH {
        let row = plane + ((od * axes.strides[0] + kd) * inH + oh * axes.strides[1] + kh) * inW
        let target = destination + (od * outH + oh) * outW
        if transposes {
          transposeWindows(row, axes: axes, into: target)
          continue
        }
        for kw in 0..<kernelW {
          copyRow(
            row + kw, stride: axes.strides[2], inputWidth: inW - kw, count: outW,
            into: target + kw * axes.outputPlane)
        }
      }
    }
  }

  /// One input row's windows (`outW` of them, `kernelW` wide, `strides[2]` apart) as `kernelW` rows of `outW`
  /// values `axes.outputPlane` apart, in 8 × 8 tiles transposed in registers (`TransposeMicrokernel8x8`):
  /// a 16x16/16 patch embedding reads each of its taps a whole window apart, a load per value element by
  /// element. A last partial tile along either axis is moved back to end at the edge and overlaps the one
  /// before, writing some values twice, so that every tile is a full one. Needs `kernelW` and `outW` ≥ 8.
  private static func transposeWindows(
    _ row: UnsafePointer<Float>, axes: WindowAxes, into destination: UnsafeMutablePointer<Float>
  ) {
    let tile = TransposeMicrokernel8x8.size
    let (outW, kernelW, stride) = (axes.output[2], axes.kernel[2], axes.strides[2])
    var window = 0
    while window < outW {
      let firstWindow = min(window, outW - tile)
      var tap = 0
      while tap < kernelW {
        let firstTap = min(tap, kernelW - tile)
        TransposeMicrokernel8x8.run(
          row + firstWindow * stride + firstTap, sourceStride: stride,
          destination + firstTap * axes.outputPlane + firstWindow, destinationStride: axes.outputPlane,
          rows: tile, columns: tile)
        tap += tile
      }
      window += tile
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
