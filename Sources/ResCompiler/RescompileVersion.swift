/// The compiler's version: printed by `--version` and recorded in every plan it writes.
public enum RescompileVersion {
  public static let string = "0.1.0"

  /// `rescompile 0.1.0`: the producer field of plan headers and metadata.
  public static var producer: String { "rescompile \(string)" }
}
