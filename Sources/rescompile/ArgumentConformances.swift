import ArgumentParser
import ResCompiler

// The façade's option enums become argument values here rather than in ResCompiler, so the library does not
// depend on swift-argument-parser.
extension DumpStage: ExpressibleByArgument {}
extension DumpFormat: ExpressibleByArgument {}
