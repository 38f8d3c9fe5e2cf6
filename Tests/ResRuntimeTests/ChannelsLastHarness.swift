import ResKernels
import Testing

@testable import ResRuntime

/// What the channels-last kernel tests share: window geometries built as the operators build them, and run
/// contexts of one or several real workers.
enum ChannelsLastHarness {
  static let site = StepSite(index: 0, name: "test", kernel: "test")
  static var operands: StepOperands {
    StepOperands(site: site, inputs: [], outputs: [], constants: UnsafeRawBufferPointer(start: nil, count: 0))
  }

  /// The axes of a window over `spatial` (1 to 3 axes); `pads` begins then ends; ceil or floor outputs.
  static func axes(
    spatial: [Int], kernel: [Int], strides: [Int], dilations: [Int], pads: [Int], ceil: Bool = false
  ) throws -> WindowAxes {
    var axes = try WindowAxes(
      input: spatial, kernelShape: kernel.map(Int64.init), defaultKernel: nil, strides: strides.map(Int64.init),
      dilations: dilations.map(Int64.init), pads: pads.map(Int64.init), operands: operands)
    let output = try ((3 - spatial.count)..<3).map { axis in
      try #require(ceil ? axes.ceilOutput(axis: axis) : axes.floorOutput(axis: axis))
    }
    try axes.setOutput(output, operands)
    return axes
  }

  /// Runs `body` on a context with `workers` workers (a pool of `workers − 1` helper threads when above one)
  /// and `scratchBytes` of scratch for each.
  static func withContext(workers: Int, scratchBytes: Int, _ body: (RunContext) -> Void) throws {
    let stride = max(64, (scratchBytes + 63) / 64 * 64)
    let scratch = try AlignedMemory.allocate(stride * workers, for: "test scratch")
    let shared = try AlignedMemory.allocate(64, for: "test shared scratch")
    let pool = workers > 1 ? WorkerPool(helpers: workers - 1) : nil
    defer { pool?.shutDown() }
    let addresses: [UnsafeMutableRawPointer] = []
    addresses.withUnsafeBufferPointer { table in
      body(
        RunContext(
          addresses: table, scratch: scratch.base, scratchStride: stride, sharedScratch: shared.base,
          threads: workers, pool: pool))
    }
  }

  /// The channels-last index of element (`n`, `c`, position `d`, `h`, `w`) of a tensor of `sizes` spatial
  /// sizes (three axes) and `channels` channels.
  static func index(_ n: Int, _ d: Int, _ h: Int, _ w: Int, _ c: Int, sizes: [Int], channels: Int) -> Int {
    (((n * sizes[0] + d) * sizes[1] + h) * sizes[2] + w) * channels + c
  }
}
