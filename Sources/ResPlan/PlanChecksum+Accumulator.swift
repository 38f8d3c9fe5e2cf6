extension PlanChecksum {
  /// The checksum of a section that arrives in pieces, equal to `PlanChecksum.of` over their concatenation.
  ///
  /// The plan writer streams the constant section into the file payload by payload, never holding the whole
  /// section in memory, and hashes each piece on its way out. The section's length must be known first: it
  /// seeds a lane.
  public struct Accumulator {
    private let length: Int
    private var received = 0
    private var lanes: (UInt64, UInt64, UInt64, UInt64)
    /// The bytes of a block not yet complete (fewer than 32).
    private var pending: [UInt8] = []

    private static let blockSize = 32

    public init(length: Int) {
      self.length = length
      lanes = PlanChecksum.initialLanes(length: length)
    }

    /// Adds the next bytes of the section.
    public mutating func add(_ bytes: UnsafeRawBufferPointer) {
      precondition(received + bytes.count <= length, "more bytes than the section's length")
      received += bytes.count
      var rest = bytes
      if !pending.isEmpty {
        let taken = min(Self.blockSize - pending.count, rest.count)
        pending += rest[0..<taken]
        rest = UnsafeRawBufferPointer(rebasing: rest[taken...])
        guard pending.count == Self.blockSize else { return }
        pending.withUnsafeBytes { PlanChecksum.mixBlocks($0, into: &lanes) }
        pending.removeAll(keepingCapacity: true)
      }
      let whole = rest.count / Self.blockSize * Self.blockSize
      PlanChecksum.mixBlocks(UnsafeRawBufferPointer(rebasing: rest[0..<whole]), into: &lanes)
      pending += rest[whole...]
    }

    /// Adds `count` zero bytes: the padding between payloads.
    public mutating func addZeros(_ count: Int) {
      var remaining = count
      withUnsafeTemporaryAllocation(byteCount: min(max(count, 1), 4096), alignment: 16) { zeros in
        zeros.initializeMemory(as: UInt8.self, repeating: 0)
        while remaining > 0 {
          let piece = min(remaining, zeros.count)
          add(UnsafeRawBufferPointer(rebasing: zeros[0..<piece]))
          remaining -= piece
        }
      }
    }

    /// The checksum, once every byte of the section was added.
    public func finish() -> UInt64 {
      precondition(received == length, "the section's bytes are incomplete")
      return pending.withUnsafeBytes { PlanChecksum.finalize(lanes, tail: $0) }
    }
  }
}
