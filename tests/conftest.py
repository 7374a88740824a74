"""Every test's fixtures, from tests/fixtures/ (the Kafka broker is real: started once per session, stopped at the end)."""

pytest_plugins = [
    "tests.fixtures.data",   # shared evaluation data: paths, need(), the dev set and its offline run
    "tests.fixtures.kafka",  # the session's real Kafka broker
]
