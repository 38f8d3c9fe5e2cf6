import ResKernels

/// How `ChannelsLastConvolution`'s indirect GEMM finds its input: for each tile of six output positions, each
/// kernel tap and each row, the address of channel 0 of the input position that row's tap reads, or a zero
/// row where the window lies in the padding (the layout `IndirectGemmTile` documents).
///
/// The table is rebuilt for every block of positions on every run, so its cost is pure overhead, and with few
/// channels per tap it is not small: a pointer stands for only 16 × 16 multiply-adds in RegNet's grouped 3x3
/// layers of 16 channels per group, about 3 ns of kernel time against 1.7 ns to find the pointer when every
/// position divided out its coordinates and walked the window's three axes through arrays. So the window's
/// geometry is hoisted into integers, the output coordinates advance by counting, and a window lying wholly
/// inside the input (every position away from the border) takes each tap at a constant offset from its
/// origin.
struct IndirectionTable: Sendable {
  static let tile = IndirectGemmMicrokernel6x16.positions

  /// One spatial axis of the window (depth, height, width; a 2-D window's depth is 1).
  private struct Axis: Sendable {
    var input: Int
    var output: Int
    var stride: Int
    var padBegin: Int
    var dilation: Int
    var kernel: Int

    /// Where the window of output coordinate `index` starts (negative in the begin padding).
    func origin(_ index: Int) -> Int { index * stride - padBegin }

    /// Whether the whole dilated window from `origin` lies inside the input.
    func containsWindow(from origin: Int) -> Bool {
      origin >= 0 && origin + (kernel - 1) * dilation < input
    }
  }

  private let depth: Axis
  private let height: Axis
  private let width: Axis
  /// Floats from one input position to the next: all the input channels, of every group.
  private let positionStride: Int
  /// For each tap, in the weights' order (depth, height, width), floats from the window origin's channel 0.
  private let tapOffsets: [Int]
  /// The output columns whose window lies inside the input along the width: on an output row whose window
  /// lies inside along depth and height, their origins are a constant step apart.
  private let interiorColumns: Range<Int>

  init(axes: WindowAxes, channels: Int) {
    func axis(_ index: Int) -> Axis {
      Axis(
        input: axes.input[index], output: axes.output[index], stride: axes.strides[index],
        padBegin: axes.padsBegin[index], dilation: axes.dilations[index], kernel: axes.kernel[index])
    }
    depth = axis(0)
    height = axis(1)
    width = axis(2)
    positionStride = channels
    var offsets: [Int] = []
    offsets.reserveCapacity(axes.kernelVolume)
    for kd in 0..<depth.kernel {
      for kh in 0..<height.kernel {
        for kw in 0..<width.kernel {
          let position = ((kd * depth.dilation) * height.input + kh * height.dilation) * width.input + kw * width.dilation
          offsets.append(position * channels)
        }
      }
    }
    tapOffsets = offsets
    // Column `w` is inside when `w·stride − pad ≥ 0` and `w·stride − pad + (kernel − 1)·dilation < input`.
    let low = (width.padBegin + width.stride - 1) / width.stride
    let span = width.input - 1 - (width.kernel - 1) * width.dilation + width.padBegin
    let high = span < 0 ? 0 : min(width.output, span / width.stride + 1)
    interiorColumns = low..<max(low, high)
  }

  /// Pointers per tile: one per tap and row.
  var pointersPerTile: Int { tapOffsets.count * Self.tile }

  /// Writes the table of `positions` (starting on a tile) into `table`: tile by tile, tap-major, six rows a
  /// tap; rows past the last position repeat it. `input` is the image's first float.
  func fill(
    _ table: UnsafeMutablePointer<UnsafePointer<Float>>, positions: Range<Int>, input: UnsafePointer<Float>,
    zeroRow: UnsafePointer<Float>
  ) {
    guard !positions.isEmpty else { return }
    tapOffsets.withUnsafeBufferPointer { offsets in
      let first = positions.lowerBound
      var (d, h, w) = (first / (height.output * width.output), first / width.output % height.output, first % width.output)
      var tileStart = first
      var tileTable = table
      var row = outputRow(d: d, h: h, input: input)
      while tileStart < positions.upperBound {
        for slot in 0..<Self.tile {
          if let base = row, interiorColumns.contains(w) {
            let origin = base + (w &* width.stride &- width.padBegin) &* positionStride
            for tap in 0..<offsets.count { tileTable[slot &+ tap &* Self.tile] = origin + offsets[tap] }
          } else {
            fillTaps(tileTable + slot, d: d, h: h, w: w, input: input, zeroRow: zeroRow, offsets: offsets)
          }
          // Rows past the end keep the last position.
          guard tileStart + slot + 1 < positions.upperBound else { continue }
          w += 1
          if w == width.output {
            w = 0
            h += 1
            if h == height.output {
              h = 0
              d += 1
            }
            row = outputRow(d: d, h: h, input: input)
          }
        }
        tileStart += Self.tile
        tileTable += pointersPerTile
      }
    }
  }

  /// The first float of input row `d0, h0` (the window origin's, column 0) when the windows of output row
  /// (`d`, `h`) lie inside the input along depth and height; nil when they reach into the padding.
  @inline(__always)
  private func outputRow(d: Int, h: Int, input: UnsafePointer<Float>) -> UnsafePointer<Float>? {
    let (d0, h0) = (depth.origin(d), height.origin(h))
    guard depth.containsWindow(from: d0), height.containsWindow(from: h0) else { return nil }
    return input + (d0 * height.input + h0) * width.input * positionStride
  }

  /// The pointers of output position (`d`, `h`, `w`), one per tap, `tile` apart from `slot` on.
  @inline(__always)
  private func fillTaps(
    _ slot: UnsafeMutablePointer<UnsafePointer<Float>>, d: Int, h: Int, w: Int, input: UnsafePointer<Float>,
    zeroRow: UnsafePointer<Float>, offsets: UnsafeBufferPointer<Int>
  ) {
    let (d0, h0, w0) = (depth.origin(d), height.origin(h), width.origin(w))
    if depth.containsWindow(from: d0), height.containsWindow(from: h0), width.containsWindow(from: w0) {
      let origin = input + ((d0 * height.input + h0) * width.input + w0) * positionStride
      for tap in 0..<offsets.count { slot[tap * Self.tile] = origin + offsets[tap] }
      return
    }
    var next = slot
    for kd in 0..<depth.kernel {
      let z = d0 + kd * depth.dilation
      for kh in 0..<height.kernel {
        let y = h0 + kh * height.dilation
        let rowInside = z >= 0 && z < depth.input && y >= 0 && y < height.input
        for kw in 0..<width.kernel {
          let x = w0 + kw * width.dilation
          next.pointee =
            rowInside && x >= 0 && x < width.input
            ? input + ((z * height.input + y) * width.input + x) * positionStride : zeroRow
          next += Self.tile
        }
      }
    }
  }
}
