"""The pages people look at: pure functions, records in, HTML/SVG/text out.

Nothing here imports Faust or a Kafka client (``tests/unit/test_pages.py`` checks it),
so the renderers are unit-tested on plain :class:`~stream.positions.KeyState` values and
``stance positions`` prints the same timeline without a worker. The Faust views in
:mod:`stream.worker.web` only read the table, call these and wrap the answer.

- :mod:`.timeline`  KeyState -> ActorTimeline / TopicBoard (dataclasses the pages and the JSON share)
- :mod:`.lookup`    names and aliases (the actor KB plus the actors and speakers seen) -> actor id
- :mod:`.svg`       the time axis and the marker geometry of the timeline chart
- :mod:`.render`    the HTML pages (Jinja2 templates, autoescaped: article text is never markup)
- :mod:`.text`      the terminal timeline of ``stance positions``
- :mod:`.access`    who may look (the token rule) and which format they asked for
"""
