"""One renderer per format. Each turns a Job into {file name: bytes}; none writes files."""
