"""The report as a document: the parsed Markdown model (docmodel, mdparse), citation
anchors, and the pure renderers that turn report data into Markdown (render,
render_research). No I/O; the layout back-ends (PDF, HTML) build on it."""
