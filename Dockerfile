# Production image: gunicorn for the web, the same image for the Celery worker and beat
# (docker-compose.yml chooses the command). Settings: minorprot.settings.production, from the environment.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=minorprot.settings.production \
    MINORPROT_VAR_DIR=/var/lib/minorprot

# fonts-noto-cjk: Chinese text in generated PDFs; pango, pangoft2 and harfbuzz-subset: the libraries
# WeasyPrint loads at run time; gettext: compilemessages for the English interface.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /home/minorprot --shell /usr/sbin/nologin minorprot

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files are collected into the image (served by WhiteNoise). Production settings refuse to load
# without their variables, so this step gets throwaway values that exist only during the build.
RUN SECRET_KEY=build-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz \
    DATABASE_URL=postgres://build@localhost:5432/build \
    REDIS_URL=redis://localhost:6379/0 \
    ALLOWED_HOSTS=build.invalid \
    sh -c 'if [ -d locale ]; then python manage.py compilemessages --verbosity 0; fi \
           && python manage.py collectstatic --noinput --verbosity 0' \
    && mkdir -p /var/lib/minorprot/media \
    && chown -R minorprot:minorprot /var/lib/minorprot

USER minorprot
EXPOSE 8000
CMD ["gunicorn", "minorprot.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
