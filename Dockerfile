# The hub in production: gunicorn on a slim Python base, as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ANALYTICS_HUB_ENV=production \
    HOST=0.0.0.0 \
    PORT=8501 \
    DATA_DIR=/data \
    LOG_DIR=/logs

# Chromium and Arabic-capable fonts for server-side PNG export; curl for the health check.
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-noto-core curl \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 hub \
    && mkdir -p /data /logs \
    && chown hub:hub /data /logs

WORKDIR /app
COPY pyproject.toml README.md ./
COPY app.py settings.py gunicorn.conf.py ./
COPY data ./data
COPY layouts ./layouts
COPY callbacks ./callbacks
COPY ops ./ops
COPY assets ./assets
RUN pip install --no-cache-dir .

USER hub
VOLUME ["/data", "/logs"]
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${PORT}/healthz" || exit 1
CMD ["gunicorn", "-c", "gunicorn.conf.py", "app:server"]
