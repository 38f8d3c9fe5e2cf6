/// A convolution's input seen as the im2col matrix (row `(c, kd, kh, kw)`, column = output position) and
/// packed panel by panel without ever materializing the whole matrix. Positions that fall in the padding
/// read as zero; every input read is bounds-checked against the input plane.
struct Im2ColPanels: PanelSource {
  let input: UnsafePointer<Float>
  let axes: WindowAxes

  func packPanel(
    depthStart: Int, depth: Int, columnStart: Int, columns: Int, width: Int, into panel: UnsafeMutablePointer<Float>
  ) {
    let (inD, inH, inW) = (axes.input[0], axes.input[1], axes.input[2])
    let (outH, outW) = (axes.output[1], axes.output[2])
    let (kernelH, kernelW) = (axes.kernel[1], axes.kernel[2])
    let kernelVolume = axes.kernelVolume
    let plane = axes.inputPlane
    let firstD = columnStart / (outH * outW)
    let firstH = columnStart / outW % outH
    let firstW = columnStart % outW
    for step in 0..<depth {
      let row = depthStart + step
      let channel = input + (row / kernelVolume) * plane
      let offset = row % kernelVolume
      let kd = offset / (kernelH * kernelW)
      let kh = offset / kernelW % kernelH
      let kw = offset % kernelW
      let shiftD = kd * axes.dilations[0] - axes.padsBegin[0]
      let shiftH = kh * axes.dilations[1] - axes.padsBegin[1]
      let shiftW = kw * axes.dilations[2] - axes.padsBegin[2]
      let destination = panel + step * width
      var (od, oh, ow) = (firstD, firstH, firstW)
      for column in 0..<columns {
        let id = od * axes.strides[0] + shiftD
        let ih = oh * axes.strides[1] + shiftH
        let iw = ow * axes.strides[2] + shiftW
        let inside = id >= 0 && id < inD && ih >= 0 && ih < inH && iw >= 0 && iw < inW
        destination[column] = inside ? channel[(id * inH + ih) * inW + iw] : 0
        ow += 1
        if ow == outW {
          ow = 0
          oh += 1
          if oh == outH {
            oh = 0
            od += 1
          }
        }
      }
      for column in columns..<width { destination[column] = 0 }
    }
  }
}
