# The hub in production: gunicorn (gunicorn.conf.py) on a slim Python base, as a non-root user.
# Build: docker build -t analytics-hub:latest .   Run: docker-compose up -d (see docs/RUNBOOK.md)
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ANALYTICS_HUB_ENV=production \
    HOST=0.0.0.0 \
    PORT=8501 \
    DATA_DIR=/data \
    LOG_DIR=/logs \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus \
    BROWSER_PATH=/usr/bin/chromium

# Chromium and Arabic-capable fonts for server-side PNG export; curl for the health checks;
# sqlite3, jq and the PostgreSQL client for the runbook's database and log commands and pg_dump backups;
# npm only to fetch the partial plotly.js bundle below (removed again after).
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-noto-core curl sqlite3 jq postgresql-client npm \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 hub \
    && mkdir -p /data /logs /backups \
    && chown hub:hub /data /logs /backups

WORKDIR /app
COPY pyproject.toml README.md build-constraints.txt ./
COPY app.py settings.py gunicorn.conf.py ./
COPY data ./data
COPY layouts ./layouts
COPY callbacks ./callbacks
COPY ops ./ops
COPY exports ./exports
COPY security ./security
COPY services ./services
COPY assets ./assets
COPY scripts ./scripts
RUN pip install --no-cache-dir --upgrade pip \
    && pip install --no-cache-dir --build-constraint build-constraints.txt . \
    && scripts/fetch_plotly_bundle.sh python /app \
    && apt-get purge -y --auto-remove npm && rm -rf /var/lib/apt/lists/* /root/.npm

USER hub
VOLUME ["/data", "/logs", "/backups"]
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${PORT}/healthz" > /dev/null || exit 1
CMD ["gunicorn", "-c", "gunicorn.conf.py", "app:server"]
