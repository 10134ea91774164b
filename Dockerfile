# The application image used by docker-compose.yml for web, gateway, worker, beat and migrate.
# Dovecot, PostgreSQL and Redis run from their own images. Not built by CI.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    CONVERGENCE_VAR_DIR=/app/var \
    SPOOL_DIR=/srv/spool

# gettext: compilemessages (the .mo files are not in git).
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Only what the application needs: no .venv/ or var/ from the build machine.
COPY pyproject.toml README.md ./
COPY convergence/ convergence/
COPY accounts/ accounts/
COPY directory/ directory/
COPY mail/ mail/
COPY calendar_app/ calendar_app/
# gunicorn is the WSGI server of this image only; it is not a dependency of the project.
RUN pip install --no-cache-dir . "gunicorn>=23,<24"

COPY manage.py ./
COPY templates/ templates/
COPY static/ static/
COPY locale/ locale/
COPY deploy/ deploy/

# Placeholder secrets so that importing the settings does not write real ones into the image.
RUN export DJANGO_SECRET_KEY=build-only NUMEN_HASH_KEY=build-only \
           DOVECOT_MASTER_SECRET=build-only \
 && python manage.py compilemessages -v0 \
 && python manage.py collectstatic --noinput -v0 \
 && rm -f var/secret_key var/numen_key var/dovecot_master_secret

RUN useradd --system --uid 10001 --home-dir /app convergence \
 && mkdir -p /srv/spool \
 && chown -R convergence /app/var /srv/spool
USER convergence

EXPOSE 8000 2525 2587
CMD ["gunicorn", "convergence.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4"]
