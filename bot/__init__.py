"""Questions in, cited answers out: retrieval, answering, settings and the interfaces."""
