import ResIR

/// The message of the error `body` throws, or nil when it throws none.
func errorMessage(_ body: () throws -> Void) -> String? {
  modelError(body)?.message
}

/// The ModelError `body` throws (node and message), or nil when it throws none. Any other error becomes a
/// ModelError whose message says so, which no expectation matches.
func modelError(_ body: () throws -> Void) -> ModelError? {
  do {
    try body()
    return nil
  } catch let error as ModelError {
    return error
  } catch {
    return ModelError("unexpected error \(error)")
  }
}

/// Convolution attributes with ONNX's defaults for what a test leaves out.
func convAttributes(
  kernel: [Int], strides: [Int]? = nil, dilations: [Int]? = nil, pads: [Int]? = nil, padding: Padding? = nil,
  group: Int = 1, epilogue: Epilogue = .none
) -> ConvAttributes {
  ConvAttributes(
    kernelShape: kernel, strides: strides ?? kernel.map { _ in 1 }, dilations: dilations ?? kernel.map { _ in 1 },
    padding: padding ?? .explicit(pads ?? (kernel + kernel).map { _ in 0 }), group: group, epilogue: epilogue)
}

/// Pooling attributes with ONNX's defaults for what a test leaves out.
func poolAttributes(
  kernel: [Int], strides: [Int]? = nil, pads: [Int]? = nil, padding: Padding? = nil, ceilMode: Bool = false
) -> PoolAttributes {
  PoolAttributes(
    kernelShape: kernel, strides: strides ?? kernel.map { _ in 1 }, dilations: kernel.map { _ in 1 },
    padding: padding ?? .explicit(pads ?? (kernel + kernel).map { _ in 0 }), ceilMode: ceilMode)
}
