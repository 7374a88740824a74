"""Stance Stream: who said what, and when their position changed, over a Kafka news stream."""

__version__ = "0.1.0"
