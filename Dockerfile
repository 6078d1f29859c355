# One image for web, worker and beat (docker-compose.yml).
FROM node:20-bookworm-slim AS frontend
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static ./static
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# pg_dump/pg_restore (manage.py backup/restore) of the server's major version: Debian 12 ships
# 15, docker-compose runs PostgreSQL 16, so the client comes from the PostgreSQL project's
# repository (its key is in Debian's postgresql-common).
ARG PG_MAJOR=16
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
      libfontconfig1 fonts-liberation poppler-utils libmagic1 wbritish \
      ca-certificates postgresql-common \
 && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
 && apt-get install -y --no-install-recommends postgresql-client-${PG_MAJOR} \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock ./
RUN pip install -r requirements.lock
COPY . .
COPY --from=frontend /src/static/dist ./static/dist
RUN DEBUG=0 SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
 && useradd --create-home --uid 1000 app && mkdir -p /data/media /backups \
 && chown app /data/media /backups
USER app
EXPOSE 8000
CMD ["gunicorn", "scr.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-class", "sync", "--workers", "3"]
