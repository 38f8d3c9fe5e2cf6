import ResIR
import ResReference
import Testing

/// Resize against values worked out by hand: PyTorch's bilinear upsampling (align_corners=False is
/// half_pixel) and nearest by repetition.
@Suite struct ResizeTests {
  private func resize(_ attributes: String, output: String, _ x: ReferenceTensor) throws -> ReferenceTensor? {
    try Reference.run(
      """
      graph "resize" {
        input %x: f32[1,1,2,2]
        %y = Resize "r" (%x) {\(attributes)} : \(output)
        return %y
      }
      """, ["x": x]
    ).first
  }

  @Test func bilinearHalfPixelDoubling() throws {
    let y = try resize(
      "coordinate_transformation_mode=half_pixel, mode=linear, nearest_mode=floor, scales=[1.0,1.0,2.0,2.0], "
        + "sizes=[-1,-1,4,4]", output: "f32[1,1,4,4]", f32([1, 1, 2, 2], [1, 2, 3, 4]))
    expectClose(
      y,
      f32(
        [1, 1, 4, 4],
        [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4]))
  }

  @Test func nearestAsymmetricRepeats() throws {
    let y = try resize(
      "coordinate_transformation_mode=asymmetric, mode=nearest, nearest_mode=floor, scales=[1.0,1.0,1.0,2.0], "
        + "sizes=[-1,-1,-1,4]", output: "f32[1,1,2,4]", f32([1, 1, 2, 2], [1, 2, 3, 4]))
    #expect(y == f32([1, 1, 2, 4], [1, 1, 2, 2, 3, 3, 4, 4]))
  }

  /// align_corners over the real resized length (4 → 2 by 0.6 aligns over 2.4), as ONNX defines it.
  @Test func alignCornersUsesTheRealResizedLength() throws {
    let y = try Reference.run(
      """
      graph "resize" {
        input %x: f32[1,1,1,4]
        %y = Resize "r" (%x) {coordinate_transformation_mode=align_corners, mode=linear, nearest_mode=floor, \
      scales=[1.0,1.0,1.0,0.6], sizes=[-1,-1,-1,2]} : f32[1,1,1,2]
        return %y
      }
      """, ["x": f32([1, 1, 1, 4], [1, 2, 3, 4])]
    ).first
    expectClose(y, f32([1, 1, 1, 2], [1, 1 + 3 / 1.4]), rtol: 1e-6, atol: 1e-6)
  }
}
