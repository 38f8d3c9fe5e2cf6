/// The IR's text form: a readable, diffable listing of a graph that parses back.
///
/// It exists for people and for tests: dumps show what the compiler did, and golden pass tests are written as
/// an input text, a pass list and the expected printed text. Printing is deterministic (no dictionary order,
/// addresses or timestamps), and print → parse → print gives the same bytes for every graph whose nodes are
/// in topological order and refer only to printed values.
///
/// ```
/// graph "block" {
///   input %x: f32[N,64,56,56]
///   const @w1: f32[64,64,3,3] fingerprint 3d1f0a9b55c2e871
///   const @b1: f32[64] fingerprint 0c44d2a3e9b1f650
///   const @shape: i64[2] = [1,-1]
///   %y1 = Conv "conv1" (%x, @w1, @b1) {dilations=[1,1], group=1, kernel_shape=[3,3], pads=[1,1,1,1], strides=[1,1]} epilogue(relu) : f32[N,64,56,56]
///   %y2 = Conv "conv2" (%y1, @w1, @b1, %x) {dilations=[1,1], group=1, kernel_shape=[3,3], pads=[1,1,1,1], strides=[1,1]} epilogue(residual %x, relu) : f32[N,64,56,56]
///   %a, %b = Split "split" (%y2) {axis=1, split=[32,32]} : f32[N,32,56,56], f32[N,32,56,56]
///   %flat = Reshape "flat" (%a, @shape) {allowzero=0} : f32[1,?]
///   return %flat, %b
/// }
/// ```
///
/// - **Values.** `%name` is a graph input or node result, `@name` a constant. Names made only of ASCII letters,
///   digits, `_`, `.` and `/` are bare; any other name is quoted (`%"onnx::Conv_5"`) with `\"`, `\\`, `\n`,
///   `\t`, `\r` and `\u{hex}` escapes for quotes, backslashes and invisible characters.
/// - **Types.** `dtype[dims]`: `f32[1,64,N,?]`, where a dim is a number, a symbol (quoted unless it is an
///   identifier) or `?` for unknown; `f32[]` is a scalar.
/// - **Statements**, one per line (newlines are not significant; `//` starts a comment):
///   `input %x: type`; `const @w: type fingerprint HEX` or `const @w: type = [v,...]`; a node; and a final
///   `return %a, @b, ...`. Constants may appear anywhere before their first use.
/// - **Nodes.** `%r1, %r2 = OpType "node name" (operands) {attributes} epilogue(...) : type1, type2`. The op
///   type is ONNX's (`Conv`, `BatchNormalization`). Operands list every slot, `_` for an absent optional one.
///   Attributes use ONNX's names and are sorted by name; every attribute of the op is shown (integers,
///   floats in shortest round-trip form with `nan`/`inf`, `[1,1]` lists, words such as `SAME_UPPER`, `f32`
///   or `tanh`, `f32 0.0` for a typed scalar, `[Sigmoid, HardSigmoid(alpha=0.2, beta=0.5)]` for gate
///   functions). `pads=[...]` and `auto_pad=SAME_UPPER|SAME_LOWER` are alternatives; booleans are ONNX's
///   0/1. Optional attributes (`axes` of ReduceMean and Squeeze, `end` of Shape, `clip` of LSTM/GRU) are
///   left out when absent. Conv, Gemm, MatMul and ScaleShift may carry `epilogue(residual %skip, act)`, where
///   the residual repeats operand slot 3 and `act` is one of `relu`, `clip(min=, max=)`, `leaky_relu(alpha=)`,
///   `sigmoid`, `tanh`, `hard_sigmoid(alpha=, beta=)`, `hard_swish`, `silu`, `mish`, `elu(alpha=)`, `gelu(approximate=none|tanh)`.
///   A LayerNormalization that adds operand slot 3 to X before normalizing shows `residual=1` (left out when
///   not set). A Conv may also carry `prologue(scale_shift)` or `prologue(scale_shift, act)` before its
///   epilogue: it computes from `act(x · scale[c] + shift[c])`, the scale and shift in operand slots 4 and 5
///   (slot 3, the residual, is `_` when unused). The fused forms without an ONNX op are spelled `ScaleShift` (`{axis=1}`, operands X, scale,
///   shift, residual?) and `GatedSkip` (operands T, H, X).
/// - **Constants.** A constant of at most 16 elements prints its values, exactly. A larger one prints only
///   its fingerprint (`Fingerprint.hex`), never its bytes: the text form is structural, and **parsing
///   synthesizes the weights**: deterministic data from SplitMix64 seeded with the fingerprint (floats uniform
///   in [-1, 1), small integers), with the printed fingerprint kept as the constant's declared fingerprint so
///   that printing again shows the same line.
///
/// Only what the graph reaches is printed: its inputs, the constants that nodes or outputs use, its nodes and
/// outputs. Dead values left in the value table do not appear.
public enum TextFormat {
  /// The graph in the text form, ending with a newline.
  public static func print(_ graph: Graph) -> String {
    TextPrinter(graph).render()
  }

  /// Rebuilds a graph from its text form. Values get IDs in the order they are defined; names, node order
  /// and everything printed are as written. Result types are taken as written: run the verifier to check them.
  ///
  /// Malformed text, unknown ops, attributes of the wrong kind or missing, undefined or duplicate value names
  /// throw a `TextParseError` with the line and column.
  public static func parse(_ text: String) throws(TextParseError) -> Graph {
    try TextParser.parse(text)
  }
}
