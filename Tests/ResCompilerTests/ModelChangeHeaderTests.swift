import Foundation
import ResCompiler
import ResTestSupport
import Testing

/// Changes the optimizer makes to a model's meaning (an inserted projection) head every dump of the graph after
/// them, in a form each dump's readers skip: comments in the text form (which still parses) and DOT, a
/// `model_changes` array in JSON.
@Suite struct ModelChangeHeaderTests {
  let graph: Graph
  let changes = ["inserted a 1x1 projection on the skip of '/Add'", "a change\nspread over two lines"]

  init() throws {
    graph = try LoadedModel(contentsOf: RepoPaths.fixtureModel("resnet_basic")).optimized().graph
  }

  @Test func textHeaderIsCommentsAndStillParses() throws {
    let text = graph.rendered(as: .text, modelChanges: changes)
    #expect(
      text.hasPrefix(
        "// model change: inserted a 1x1 projection on the skip of '/Add'\n"
          + "// model change: a change spread over two lines\ngraph "))
    #expect(TextFormat.print(try TextFormat.parse(text)) == graph.rendered(as: .text))
  }

  @Test func dotAndBlocksHeadersAreComments() {
    #expect(graph.rendered(as: .dot, modelChanges: changes).hasPrefix("// model change: inserted"))
    #expect(BlockRendering.render(graph, modelChanges: changes).hasPrefix("// model change: inserted"))
  }

  @Test func jsonListsTheChanges() throws {
    let text = graph.rendered(as: .json, modelChanges: changes)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    #expect(object["model_changes"] as? [String] == changes)
  }

  @Test func noChangesNoHeader() {
    for format in DumpFormat.allCases {
      #expect(graph.rendered(as: format, modelChanges: []) == graph.rendered(as: format))
    }
    #expect(!BlockRendering.render(graph).contains("model change"))
  }

  @Test func thePlanListingCarriesTheChangesToo() throws {
    let model = try LoadedModel(contentsOf: RepoPaths.fixtureModel("resnet_basic"))
    let plan = try model.compile(graph, options: CompileOptions())
    #expect(plan.listing(modelChanges: ["x"]) == "// model change: x\n" + plan.listing())
  }
}
