"""Pure NLP: text in, typed records out. No Kafka, no Faust, no event loop."""
