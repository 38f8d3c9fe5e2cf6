/// A file the compiler was asked to write could not be written (a missing folder, a full disk, a refusal to
/// overwrite the model). Nothing partial is left behind.
public struct FileWriteError: Error, Sendable, Hashable, CustomStringConvertible {
  public var description: String

  public init(description: String) {
    self.description = description
  }
}
