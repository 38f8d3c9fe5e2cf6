// Users of the façade work with IR graphs, errors and plan summaries directly; re-exporting ResIR and
// ResCodegen spares them more imports; ResPasses names the optimization levels and pass records.
@_exported import ResCodegen
@_exported import ResIR
@_exported import ResPasses
// The plan-side types the compile options name (`CompileOptions.winogradTile`, `.winogradReach`).
@_exported import enum ResPlan.WinogradReach
@_exported import enum ResPlan.WinogradTilePolicy
