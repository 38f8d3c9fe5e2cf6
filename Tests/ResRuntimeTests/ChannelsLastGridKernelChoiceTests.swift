import ResKernels
import Testing

@testable import ResRuntime

/// Which channels-last grid kernel a stem's tile takes: on 512-bit builds the four-panel kernel only while its
/// weights for one tile fit `ChannelsLastGridConvolution.tileWeightBytes` (a 3x3 stem over 3 colours, 27
/// steps), the two-panel one for a 7x7 stem's 147 steps; the narrowest for the last 16 channels.
@Suite struct ChannelsLastGridKernelChoiceTests {
  @Test func theWidestTileWhoseWeightsStayInTheFirstLevelCache() {
    let choose = ChannelsLastGridConvolution.kernel(remaining:depth:)
    guard GemmMicrokernel6x32.preferred else {
      #expect(choose(64, 27) === MicrokernelRegistry.channelsLastGrid)
      return
    }
    #expect(choose(64, 27) === MicrokernelRegistry.channelsLastGridWider)
    #expect(choose(64, 96) === MicrokernelRegistry.channelsLastGridWider)
    #expect(choose(64, 147) === MicrokernelRegistry.channelsLastGridWide)
    #expect(choose(32, 27) === MicrokernelRegistry.channelsLastGridWide)
    #expect(choose(16, 147) === MicrokernelRegistry.channelsLastGrid)
  }
}
