"""Developer tools: a local Kafka broker, TLS material for tests, the benchmarks, the demo, /proc helpers."""
