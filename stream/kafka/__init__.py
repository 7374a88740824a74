"""Kafka plumbing shared by the worker and the commands: one connection builder
(:mod:`.connection`), one topic registry (:mod:`.topics`), topic administration,
a typed reader (:mod:`.client`) and the producer (:mod:`.producer`)."""
