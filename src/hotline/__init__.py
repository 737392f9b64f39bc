"""hotline: a real-time deconfliction hotline between parties to a tense border."""

__version__ = "0.1.0"
