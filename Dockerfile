# The Stance Stream worker. Build context: the repository root (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md* ./
COPY stream ./stream
COPY schemas ./schemas
RUN pip install .

RUN useradd --create-home --uid 10001 stance && mkdir -p /data && chown stance /data
USER stance
ENV STANCE_DATADIR=/data/faust
EXPOSE 6066
CMD ["stance", "worker", "-l", "info"]
