/// Moves up to 16 channel planes (channel-major, NCHW) to and from position-major blocks: one 16-float
/// vector per spatial position, channel `c` on lane `c`. A depthwise convolution computed with the channels
/// on the lanes (`DepthwiseChannelMicrokernel`) reads each tap as one plain vector load at any stride, where
/// a kernel with the positions on the lanes needs a plane copy, phase splitting and a partial store per short
/// row for every channel.
///
/// Both directions move 4 positions × 4 channels at a time as vectors, regrouped in registers by two perfect
/// unshuffles (`transpose4x4`); only the plane's last positions short of 4 move element by element.
public enum ChannelBlockTranspose {
  /// Channels of one block: the vector lanes.
  public static let lanes = 16

  /// `destination[slot(p) + c] = source[c·channelStride + p]` for positions `p < positions` and channels
  /// `c < channels` (`channels ≤ 16`); lanes at and above `channels` of every written slot are zeroed.
  /// `slot(p)` is `(rowOffset + p / width) · pitch + columnOffset + p mod width`, times 16: the source
  /// plane's rows of `width` placed at row `rowOffset`, column `columnOffset` of a padded block `pitch`
  /// positions wide. The source is read only inside the `channels` planes' first `positions` floats.
  public static func toPositions(
    _ source: UnsafePointer<Float>, channelStride: Int, channels: Int, positions: Int, width: Int,
    into destination: UnsafeMutablePointer<Float>, pitch: Int, rowOffset: Int, columnOffset: Int
  ) {
    var slots = SlotCursor(width: width, pitch: pitch, rowOffset: rowOffset, columnOffset: columnOffset)
    let wholeGroups = channels / 4
    var position = 0
    while positions - position >= 4 {
      let s0 = destination + slots.next()
      let s1 = destination + slots.next()
      let s2 = destination + slots.next()
      let s3 = destination + slots.next()
      for group in 0..<4 {
        let channel = 4 * group
        let at = source + channel * channelStride + position
        let rows: Block4
        if group < wholeGroups {
          rows = (load4(at), load4(at + channelStride), load4(at + 2 * channelStride), load4(at + 3 * channelStride))
        } else {
          rows = partialRows(at, channelStride: channelStride, count: channels - channel)
        }
        let columns = transpose4x4(rows)
        store4(columns.0, s0 + channel)
        store4(columns.1, s1 + channel)
        store4(columns.2, s2 + channel)
        store4(columns.3, s3 + channel)
      }
      position += 4
    }
    while position < positions {
      let slot = destination + slots.next()
      for channel in 0..<lanes { slot[channel] = channel < channels ? source[channel * channelStride + position] : 0 }
      position += 1
    }
  }

  /// `destination[c·channelStride + p] = source[16·p + c]` for positions `p < positions` and channels
  /// `c < channels`: a dense position-major block back to channel planes. Nothing else is written.
  public static func toChannels(
    _ source: UnsafePointer<Float>, positions: Int, channels: Int, into destination: UnsafeMutablePointer<Float>,
    channelStride: Int
  ) {
    let groups = (channels + 3) / 4
    var position = 0
    while positions - position >= 4 {
      let at = source + 16 * position
      for group in 0..<groups {
        let channel = 4 * group
        let rows = transpose4x4((load4(at + channel), load4(at + 16 + channel), load4(at + 32 + channel),
                                 load4(at + 48 + channel)))
        let target = destination + channel * channelStride + position
        switch channels - channel {
        case 4...:
          store4(rows.0, target)
          store4(rows.1, target + channelStride)
          store4(rows.2, target + 2 * channelStride)
          store4(rows.3, target + 3 * channelStride)
        case 3:
          store4(rows.0, target)
          store4(rows.1, target + channelStride)
          store4(rows.2, target + 2 * channelStride)
        case 2:
          store4(rows.0, target)
          store4(rows.1, target + channelStride)
        default:
          store4(rows.0, target)
        }
      }
      position += 4
    }
    while position < positions {
      for channel in 0..<channels { destination[channel * channelStride + position] = source[16 * position + channel] }
      position += 1
    }
  }

  /// Four consecutive floats of each of the first `count` (< 4) channel rows at `at`, zeros for the rest.
  private static func partialRows(_ at: UnsafePointer<Float>, channelStride: Int, count: Int) -> Block4 {
    let zero = SIMD4<Float>()
    return (
      count > 0 ? load4(at) : zero, count > 1 ? load4(at + channelStride) : zero,
      count > 2 ? load4(at + 2 * channelStride) : zero, zero
    )
  }

  /// The slots of consecutive source positions in a padded position-major block: row and column advanced
  /// together, with no division per position.
  private struct SlotCursor {
    let width: Int
    let pitch: Int
    var row: Int
    var column = 0
    let columnOffset: Int

    init(width: Int, pitch: Int, rowOffset: Int, columnOffset: Int) {
      self.width = width
      self.pitch = pitch
      row = rowOffset
      self.columnOffset = columnOffset
    }

    /// The current position's float offset, then a step to the next position.
    @inline(__always)
    mutating func next() -> Int {
      let slot = (row * pitch + columnOffset + column) * 16
      column += 1
      if column == width {
        column = 0
        row += 1
      }
      return slot
    }
  }

  typealias Block4 = (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>)

  /// The 4 × 4 transpose of four row vectors. Read as one 16-element array, a perfect unshuffle (even
  /// elements first, then odd) rotates each element's 4-bit index right by one bit; two of them swap the
  /// row bits with the column bits. Each unshuffle is `evenHalf`/`oddHalf` of adjacent pairs: one `shufps`
  /// per result on 128-bit vectors, where 256-bit ones needed lane-crossing permutes after every shuffle and
  /// lane-by-lane initializers became single inserts.
  @inline(__always)
  static func transpose4x4(_ rows: Block4) -> Block4 {
    unshuffle(unshuffle(rows))
  }

  @inline(__always)
  private static func unshuffle(_ v: Block4) -> Block4 {
    let p0 = SIMD8(lowHalf: v.0, highHalf: v.1)
    let p1 = SIMD8(lowHalf: v.2, highHalf: v.3)
    return (p0.evenHalf, p1.evenHalf, p0.oddHalf, p1.oddHalf)
  }

  @inline(__always)
  private static func load4(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
  }

  @inline(__always)
  private static func store4(_ v: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD4<Float>.self)
  }
}
