"""Settings as each way of running reads them, checked in a fresh interpreter per environment."""

import json
import os
import secrets
import subprocess
import sys

from django.conf import settings

SHOW_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({name: getattr(settings, name) for name in (
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER",
)}))
"""
PRODUCTION = {
    # The variables of the README's "Deploy behind gunicorn"; nothing connects to the database.
    "DATABASE_URL": "postgres://justicelib:secret@db.internal/justicelib",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "evidence.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://evidence.example.org",
    "BEHIND_TLS_PROXY": "1",
    "DEBUG": "0",
}


def run(args: list[str], **variables: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "SECRET_KEY_FILE", "ALLOWED_HOSTS"}
        and not key.startswith(("SECURE_", "BEHIND_"))
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "justicelib.settings", **variables},
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_with(**variables: str) -> dict:
    result = run(["-c", "import django; django.setup()\n" + SHOW_SETTINGS], **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_is_clean_with_the_readme_production_variables():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_behind_a_tls_proxy_https_is_enforced():
    values = settings_with(**PRODUCTION)

    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_make_run_serves_plain_http_with_debug_off_and_the_key_from_its_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("a-key-made-once-for-this-checkout-" + "x" * 30 + "\n")

    # What `make run` exports.
    values = settings_with(
        DEBUG="0", SECRET_KEY_FILE=str(key_file), ALLOWED_HOSTS="127.0.0.1,localhost"
    )

    assert values["DEBUG"] is False
    assert values["SECRET_KEY"] == key_file.read_text().strip()
    assert values["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SESSION_COOKIE_SECURE"] is False and values["CSRF_COOKIE_SECURE"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_secret_key_in_the_environment_wins_over_the_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("from-the-file")

    values = settings_with(
        DEBUG="0", SECRET_KEY="from-the-environment", SECRET_KEY_FILE=str(key_file)
    )

    assert values["SECRET_KEY"] == "from-the-environment"


def test_without_debug_a_missing_key_stops_the_start_with_a_clear_message(tmp_path):
    missing = run(["-c", "import django; django.setup()"], DEBUG="0")
    unreadable = run(
        ["-c", "import django; django.setup()"], DEBUG="0", SECRET_KEY_FILE=str(tmp_path / "none")
    )

    assert missing.returncode != 0
    assert "Set SECRET_KEY or SECRET_KEY_FILE" in missing.stderr
    assert unreadable.returncode != 0
    assert f"SECRET_KEY_FILE {tmp_path / 'none'} cannot be read" in unreadable.stderr
