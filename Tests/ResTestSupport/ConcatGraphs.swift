import ResIR

/// Small graphs around Concat, one per case of concat aliasing (computing operands straight into their part
/// of the output): the codegen tests check what the compiler decides for each, the end-to-end tests run each
/// and compare with the reference evaluator. Feature maps are NCHW, `[1, C, 3, 3]` unless a case needs more.
public enum ConcatGraphs {
  /// Every case, by name.
  public static func all() throws(ModelError) -> [(name: String, graph: Graph)] {
    [
      ("producersIntoSlabs", try producersIntoSlabs()), ("batchOfTwo", try batchOfTwo()),
      ("graphInputOperand", try graphInputOperand()), ("operandInTwoConcats", try operandInTwoConcats()),
      ("graphOutputOperand", try graphOutputOperand()), ("constantOperand", try constantOperand()),
      ("repeatedOperand", try repeatedOperand()), ("concatIsGraphOutput", try concatIsGraphOutput()),
      ("nestedDenseBlock", try nestedDenseBlock()), ("flatDenseBlock", try flatDenseBlock()),
      ("concatOfAnotherConcatsPart", try concatOfAnotherConcatsPart()),
    ]
  }

  /// `tanh(cat(relu(x), sigmoid(x)))`: both operands can be computed in place.
  public static func producersIntoSlabs() throws(ModelError) -> Graph {
    let b = GraphBuilder(name: "producersIntoSlabs")
    let x = b.input("f32[1,2,3,3]")
    let cat = try b.value(
      .concat(axis: 1), [try b.value(.unary(.relu), [x], name: "a"), try b.value(.unary(.sigmoid), [x], name: "b")],
      name: "cat")
    return finish(b, outputs: [try b.value(.unary(.tanh), [cat], name: "y")])
  }

  /// The same at batch 2: each operand's part of the output is two separate pieces.
  public static func batchOfTwo() throws(ModelError) -> Graph {
    let b = GraphBuilder(name: "batchOfTwo")
    let x = b.input("f32[2,2,3,3]")
    let cat = try b.value(
      .concat(axis: 1), [try b.value(.unary(.relu), [x], name: "a"), try b.value(.unary(.sigmoid), [x], name: "b")],
      name: "cat")
    return finish(b, outputs: [try b.value(.unary(.tanh), [cat], name: "y")])
  }

  /// `cat(x, relu(x))`: the graph input is copied, the ReLU computed in place.
  public static func graphInputOperand() throws(ModelError) -> Graph {
    let b = GraphBuilder(name: "graphInputOperand")
    let x = b.input("f32[1,2,3,3]")
    let cat = try b.value(.concat(axis: 1), [x, try b.value(.unary(.relu), [x], name: "a")], name: "cat")
    return finish(b, outputs: [try b.value(.unary(.tanh), [cat], name: "y")])
  }

  /// `a` in `cat(a, b)` and in `cat(c, a)`: it can live in only one of them.
  public static func operandInTwoConcats() throws(ModelError) -> Graph {
    let b = GraphBuilder(name: "operandInTwoConcats")
    let x = b.input("f32[1,2,3,3]")
    let a = try b.value(.unary(.relu), [x], name: "a")
    let first = try b.value(.concat(axis: 1), [a, try b.value(.unary(.sigmoid), [x], name: "b")], name: "cat1")
    let second = try b.value(.concat(axis: 1), [try b.value(.unary(.tanh), [x], name: "c"), a], name: "cat2")
    return finish(b, outputs: [try b.value(.binary(.add), [first, second], name: "y")])
  }

  /// `a` is a graph output as well as an operand.
  public static func graphOutputOperand() throws(ModelError) -> Graph {
    let b = GraphBuilder(name: "graphOutputOperand")
    let x = b.input("f32[1,2,3,3]")
    let a = try b.value(.unary(.relu), [x], name: "a")
    let cat = try b.value(.concat(axis: 1), [a, try b.value(.unary(.sigmoid), [x], name: "b")], name: "cat")
    return finish(b, outputs: [try b.value(.unary(.tanh), [cat], name: "y"), a])
  }

  /// `cat(relu(x), k)` with a constant `k`.
  public static func constantOperand() throws(ModelError) -> Graph {
    let b = GraphBuilder(name: "constantOperand")
    let x = b.input("f32[1,2,3,3]")
    let k = b.constant("f32[1,1,3,3]", (0..<9).map { Double($0) / 8 - 0.5 }, name: "k")
    let cat = try b.value(.concat(axis: 1), [try b.value(.unary(.relu), [x], name: "a"), k], name: "cat")
    return finish(b, outputs: [try b.value(.unary(.tanh), [cat], name: "y")])
  }

  /// `cat(a, a)`: the second slot copies the first.
  public static func repeatedOperand() throws(ModelError) -> Graph {
    let b = GraphBuilder(name: "repeatedOperand")
    let a = try b.value(.unary(.relu), [b.input("f32[1,2,3,3]")], name: "a")
    let cat = try b.value(.concat(axis: 1), [a, a], name: "cat")
    return finish(b, outputs: [try b.value(.unary(.tanh), [cat], name: "y")])
  }

  /// The Concat's output is the graph's output.
  public static func concatIsGraphOutput() throws(ModelError) -> Graph {
    let b = GraphBuilder(name: "concatIsGraphOutput")
    let x = b.input("f32[1,2,3,3]")
    let cat = try b.value(
      .concat(axis: 1), [try b.value(.unary(.relu), [x], name: "a"), try b.value(.unary(.sigmoid), [x], name: "b")],
      name: "cat")
    return finish(b, outputs: [cat])
  }

  /// A dense block whose layers each concatenate the previous layer's Concat with their new features:
  /// `cat(cat(cat(x0, x1), x2), x3)`, every Concat also read by its layer.
  public static func nestedDenseBlock() throws(ModelError) -> Graph {
    let b = GraphBuilder(name: "nestedDenseBlock")
    var features = try b.value(.unary(.relu), [b.input("f32[1,2,3,3]")], name: "x0")
    for layer in 1...3 {
      let new = try denseLayer(b, features, layer)
      features = try b.value(.concat(axis: 1), [features, new], name: "cat\(layer)")
    }
    return finish(b, outputs: [try b.value(.unary(.tanh), [features], name: "y")])
  }

  /// A dense block as torchvision exports it: each layer concatenates every feature map so far
  /// (`cat(x0)`, `cat(x0, x1)`, `cat(x0, x1, x2)`), and the block ends with the Concat of all of them.
  public static func flatDenseBlock() throws(ModelError) -> Graph {
    let b = GraphBuilder(name: "flatDenseBlock")
    var features = [try b.value(.unary(.relu), [b.input("f32[1,2,3,3]")], name: "x0")]
    for layer in 1...3 {
      let input = try b.value(.concat(axis: 1), features, name: "layer\(layer).cat")
      features.append(try denseLayer(b, input, layer))
    }
    let block = try b.value(.concat(axis: 1), features, name: "block.cat")
    return finish(b, outputs: [try b.value(.unary(.tanh), [block], name: "y")])
  }

  /// `cat(a, b, c)` and then `cat(b, c)`, which is a part of the first.
  public static func concatOfAnotherConcatsPart() throws(ModelError) -> Graph {
    let b = GraphBuilder(name: "concatOfAnotherConcatsPart")
    let x = b.input("f32[1,2,3,3]")
    let parts = [
      try b.value(.unary(.relu), [x], name: "a"), try b.value(.unary(.sigmoid), [x], name: "b"),
      try b.value(.unary(.tanh), [x], name: "c"),
    ]
    let whole = try b.value(.concat(axis: 1), parts, name: "whole")
    let part = try b.value(.concat(axis: 1), Array(parts[1...]), name: "part")
    return finish(
      b,
      outputs: [try b.value(.unary(.relu), [whole], name: "y1"), try b.value(.unary(.sigmoid), [part], name: "y2")])
  }

  /// One new feature map from the features so far: their channel mean, through a ReLU (`[1, 1, 3, 3]`).
  private static func denseLayer(_ b: GraphBuilder, _ features: ValueID, _ layer: Int) throws(ModelError) -> ValueID {
    let mean = try b.value(.reduceMean(axes: [1], keepDims: true), [features], name: "layer\(layer).mean")
    return try b.value(.unary(.relu), [mean], name: "x\(layer)")
  }

  private static func finish(_ b: GraphBuilder, outputs: [ValueID]) -> Graph {
    b.graph.outputs = outputs
    return b.graph
  }
}
