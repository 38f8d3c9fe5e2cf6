import Testing

@testable import ResRuntime

/// `WeightPrefetchOrder`: the tiles of a column tile hint exactly the panels of the column tile that runs next,
/// in the same channel block, then the next channel block's first, then (with more positions to come) the
/// first block's again; nothing past the task's channels or after its last tile.
@Suite struct WeightPrefetchOrderTests {
  private func hints(_ order: WeightPrefetchOrder, nextColumn: Int, firstChannel: Int) -> [[Int]] {
    (0..<order.tilesPerColumnTile).compactMap { tile in
      order.region(tile: tile, nextColumn: nextColumn, firstChannel: firstChannel).map { [$0.column, $0.channel] }
    }
  }

  private func parts(_ order: WeightPrefetchOrder, nextColumn: Int) -> [Int] {
    (0..<order.tilesPerColumnTile).compactMap { order.region(tile: $0, nextColumn: nextColumn, firstChannel: 0)?.part }
  }

  /// 256 output channels in four column tiles of 64, 512 input channels in blocks of 128, five tiles of
  /// positions (too few to share a panel).
  private let order = WeightPrefetchOrder(
    columns: 0..<256, channelsPerGroup: 512, channelBlock: 128, morePositionBlocks: false, tilesPerColumnTile: 5)

  @Test func theTilesOfAColumnTileHintTheNextOnesFourPanels() {
    #expect(hints(order, nextColumn: 64, firstChannel: 0) == [[64, 0], [80, 0], [96, 0], [112, 0]])
  }

  @Test func theLastColumnTileHintsTheNextChannelBlocksFirst() {
    #expect(hints(order, nextColumn: 256, firstChannel: 128) == [[0, 256], [16, 256], [32, 256], [48, 256]])
  }

  @Test func theLastTileOfTheLastBlockHintsNothing() {
    #expect(hints(order, nextColumn: 256, firstChannel: 384).isEmpty)
  }

  @Test func moreBlocksOfPositionsStartAgainAtTheFirstWeights() {
    var positions = order
    positions.morePositionBlocks = true
    #expect(hints(positions, nextColumn: 256, firstChannel: 384) == [[0, 0], [16, 0], [32, 0], [48, 0]])
  }

  /// A worker's share of the channels (a split at 96): hints stay inside it, a narrower next tile hints
  /// fewer panels.
  @Test func hintsStayInsideTheTasksChannels() {
    let share = WeightPrefetchOrder(
      columns: 96..<224, channelsPerGroup: 64, channelBlock: 64, morePositionBlocks: false, tilesPerColumnTile: 4)
    #expect(hints(share, nextColumn: 160, firstChannel: 0) == [[160, 0], [176, 0], [192, 0], [208, 0]])
    let narrow = WeightPrefetchOrder(
      columns: 0..<96, channelsPerGroup: 64, channelBlock: 64, morePositionBlocks: true, tilesPerColumnTile: 4)
    #expect(hints(narrow, nextColumn: 64, firstChannel: 0) == [[64, 0], [80, 0]])
    #expect(hints(narrow, nextColumn: 96, firstChannel: 0) == [[0, 0], [16, 0], [32, 0], [48, 0]])
  }

  /// A 7x7 output's nine tiles: two per panel, each its own half, the ninth hints nothing.
  @Test func nineTilesShareEachPanelInHalves() {
    var nine = order
    nine.tilesPerColumnTile = 9
    #expect(nine.partsPerPanel == 2)
    #expect(
      hints(nine, nextColumn: 64, firstChannel: 0)
        == [[64, 0], [64, 0], [80, 0], [80, 0], [96, 0], [96, 0], [112, 0], [112, 0]])
    #expect(parts(nine, nextColumn: 64) == [0, 1, 0, 1, 0, 1, 0, 1])
  }

  /// Fewer tiles than panels (a 2x2 or 4x4 output): each hinting tile covers all four panels of the next
  /// column tile (`panelsHinted`) from its first channel, in parts when there are two or three tiles; a
  /// narrower next tile gets one panel's hints.
  @Test func fewTilesHintTheWholeNextColumnTile() {
    for (tiles, shares) in [(1, 1), (2, 2), (3, 2)] {
      var few = order
      few.tilesPerColumnTile = tiles
      #expect(few.hintsWholeColumnTile)
      #expect(few.partsPerPanel == shares)
      #expect(hints(few, nextColumn: 64, firstChannel: 0) == Array(repeating: [64, 0], count: shares))
      #expect(parts(few, nextColumn: 64) == Array(0..<shares))
      #expect(few.panelsHinted(from: 64) == 4)
    }
    var narrow = WeightPrefetchOrder(
      columns: 0..<96, channelsPerGroup: 64, channelBlock: 64, morePositionBlocks: false, tilesPerColumnTile: 1)
    #expect(hints(narrow, nextColumn: 64, firstChannel: 0) == [[64, 0]])
    #expect(narrow.panelsHinted(from: 64) == 1)
    narrow.tilesPerColumnTile = 4
    #expect(!narrow.hintsWholeColumnTile)
    #expect(narrow.panelsHinted(from: 0) == 1)
  }

  /// Parts per panel: powers of two the tiles cover, at most `maximumPartsPerPanel`; one below eight tiles.
  @Test func partsGrowWithTheTilesUpToTheLimit() {
    let counts = [1, 4, 7, 8, 15, 16, 33, 200].map { tiles -> Int in
      var sized = order
      sized.tilesPerColumnTile = tiles
      return sized.partsPerPanel
    }
    #expect(counts == [1, 1, 1, 2, 2, 4, 8, WeightPrefetchOrder.maximumPartsPerPanel])
    #expect(WeightPrefetchOrder.maximumPartsPerPanel == 8)
  }

  /// A narrower next tile (two panels) shared by parts: the tiles past its panels hint nothing.
  @Test func partsOfANarrowNextTile() {
    let narrow = WeightPrefetchOrder(
      columns: 0..<96, channelsPerGroup: 64, channelBlock: 64, morePositionBlocks: false, tilesPerColumnTile: 16)
    #expect(hints(narrow, nextColumn: 64, firstChannel: 0) == [[64, 0], [64, 0], [64, 0], [64, 0], [80, 0], [80, 0], [80, 0], [80, 0]])
    #expect(parts(narrow, nextColumn: 64) == [0, 1, 2, 3, 0, 1, 2, 3])
  }
}
