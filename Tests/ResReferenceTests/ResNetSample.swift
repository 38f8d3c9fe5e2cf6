import ResIR

/// A CIFAR ResNet-20 built with the Graph API (batch-normalization already folded into the convolutions, as
/// the optimizer leaves it): 3x3 stem, three stages of three basic blocks with 16, 32 and 64 channels,
/// strided 1x1 projection shortcuts, global average pooling and a 10-way Gemm. Weights are deterministic and
/// scaled by √(2 / fan-in) so activations stay in a sensible range through all twenty layers.
enum ResNetSample {
  static func cifarResNet20(batch: Int = 1) -> Graph {
    var builder = Builder(graph: Graph(name: "resnet20"))
    var x = builder.graph.addInput(name: "image", type: TensorType(.float32, dims: [batch, 3, 32, 32]))
    var channels = 16
    var size = 32
    x = builder.conv(
      x, from: 3, to: channels, kernel: 3, stride: 1, size: size, batch: batch, epilogue: Epilogue(activation: .relu))
    for stage in 0..<3 {
      for block in 0..<3 {
        let stride = stage > 0 && block == 0 ? 2 : 1
        let outChannels = 16 << stage
        let outSize = size / stride
        let skip =
          stride == 1
          ? x
          : builder.conv(x, from: channels, to: outChannels, kernel: 1, stride: stride, size: outSize, batch: batch)
        let h = builder.conv(
          x, from: channels, to: outChannels, kernel: 3, stride: stride, size: outSize, batch: batch,
          epilogue: Epilogue(activation: .relu))
        x = builder.conv(
          h, from: outChannels, to: outChannels, kernel: 3, stride: 1, size: outSize, batch: batch,
          epilogue: Epilogue(residual: true, activation: .relu), residual: skip)
        (channels, size) = (outChannels, outSize)
      }
    }
    x = builder.node("pool", .globalAveragePool, [x], [batch, channels, 1, 1])
    x = builder.node("flatten", .flatten(axis: 1), [x], [batch, channels])
    let fc = builder.weights([10, channels], fanIn: channels)
    let bias = builder.graph.addConstant(
      name: "fc.bias", Constant(floats: (0..<10).map { Float($0) * 0.01 }, dims: [10]))
    x = builder.node("fc", .gemm(GemmAttributes(transB: true)), [x, fc, bias], [batch, 10])
    builder.graph.outputs = [x]
    return builder.graph
  }

  private struct Builder {
    var graph: Graph
    var count = 0

    mutating func weights(_ dims: [Int], fanIn: Int) -> ValueID {
      count += 1
      let scale = (2.0 / Double(fanIn)).squareRoot()
      var values: [Float] = []
      for i in 0..<dims.reduce(1, *) {
        let level = ((i + count) * 7) % 11 - 5
        values.append(Float(Double(level) / 5 * scale))
      }
      return graph.addConstant(name: "w\(count)", Constant(floats: values, dims: dims))
    }

    mutating func node(_ name: String, _ op: Op, _ inputs: [ValueID?], _ dims: [Int]) -> ValueID {
      count += 1
      graph.appendNode(
        name: "\(name)\(count)", op: op, inputs: inputs,
        results: [(name: "\(name)\(count)", type: TensorType(.float32, dims: dims))])
      return graph.nodes[graph.nodes.count - 1].outputs[0]
    }

    mutating func conv(
      _ x: ValueID, from inChannels: Int, to outChannels: Int, kernel: Int, stride: Int, size: Int, batch: Int,
      epilogue: Epilogue = .none, residual: ValueID? = nil
    ) -> ValueID {
      let w = weights([outChannels, inChannels, kernel, kernel], fanIn: inChannels * kernel * kernel)
      let b = graph.addConstant(
        name: "b\(count)", Constant(floats: (0..<outChannels).map { Float($0 % 5) * 0.02 - 0.04 }, dims: [outChannels]))
      let pad = kernel / 2
      let attributes = ConvAttributes(
        kernelShape: [kernel, kernel], strides: [stride, stride], dilations: [1, 1],
        padding: .explicit([pad, pad, pad, pad]), group: 1, epilogue: epilogue)
      let inputs: [ValueID?] = residual == nil ? [x, w, b] : [x, w, b, residual]
      return node("conv", .conv(attributes), inputs, [batch, outChannels, size, size])
    }
  }
}
