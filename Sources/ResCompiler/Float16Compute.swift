/// How a model's float16 values are computed (`--float16-compute`, `CompileOptions.float16Compute`).
///
/// The kernels compute in float32 whatever the model's type. `float32` (the default) keeps a float16 model's
/// values in float32 between ops (`PromoteFloat16`): the model runs as its float32 twin does, and its results
/// are onnxruntime's and OpenVINO's on a CPU, which compute float16 models the same way (on twelve
/// torchvision models converted by onnxconverter-common, within 1e-4 of onnxruntime's outputs where `float16`
/// lands 1e-4 to 5e-2 away). `float16` rounds every op's float16 result to float16, as ONNX's types specify
/// and the reference evaluator computes: a rounding step (`cast` with `round_to_float16`, `Float16Rounding`)
/// between each such op's float32 kernel and the next, in place, 0–9 % more time than `float32` on the six
/// benchmark models.
public enum Float16Compute: String, Sendable, Hashable, CaseIterable {
  case float32
  case float16
}
