"""The Faust worker: app, tables, agents, web views, metrics, logs, and a supervisor for tests and replays."""
