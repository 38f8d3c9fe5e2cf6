// Users of the façade work with IR graphs, errors and plan summaries directly; re-exporting ResIR and
// ResCodegen spares them more imports.
@_exported import ResCodegen
@_exported import ResIR
