"""icat-reports: ICAT's analytical review summary and meeting handout, built from one YAML source."""

__version__ = "0.1.0"
