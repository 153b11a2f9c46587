# Lesmark in one image. NOT built in CI: no image registry is reachable from the build machines,
# so this file is kept small and runs exactly the commands of docs/deploy.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    LESMARK_ENV=production LESMARK_BIND=0.0.0.0:8000 FLASK_APP=wsgi

WORKDIR /srv/lesmark
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install . && pybabel compile -d app/translations
COPY wsgi.py gunicorn.conf.py ./
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
COPY lessons ./lessons
COPY quizzes ./quizzes

RUN useradd --system --home /srv/lesmark lesmark
USER lesmark
EXPOSE 8000
# migrations and content sync are idempotent: safe on every start, and on every replica
CMD ["sh", "-c", "flask db upgrade && flask content sync && exec gunicorn wsgi:app"]
