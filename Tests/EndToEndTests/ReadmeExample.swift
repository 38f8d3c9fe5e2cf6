// The runtime example of README.md ("Library usage"), compiled here so that it cannot rot: between the two
// marker lines this file must equal the README's snippet, and ReadmeExampleTests checks that and runs it.
// README example begin
import Foundation
import ResRuntime

/// Runs a compiled plan on one image and returns the values of its first output.
func classify(_ pixels: [Float], planPath: String) throws -> [Float] {
  let plan = try Plan(contentsOf: URL(fileURLWithPath: planPath))  // maps, checks and validates the file
  let runner = try Runner(plan, threads: 2)                         // one per concurrent caller
  let input = plan.inputs[0]                                        // e.g. input: f32[1,3,224,224]
  let outputs = try runner.run([input.name: try Tensor(pixels, shape: input.shape)])
  return outputs[plan.outputs[0].name]?.floats ?? []
}
// README example end
