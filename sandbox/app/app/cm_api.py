"""API server stand-in: GET /acc/ returns the account list.

Tries the database named by DB_HOST/DB_PORT/DB_NAME/DB_USER/DB_PASSWORD and
falls back to built-in seed accounts when it is unset or unreachable.
The X-CM-Source response header says which one answered (db or seed).
"""
import os

from flask import Flask, jsonify

from app import debug_enabled, exit_on_sigterm, setup_logging

SEED_ACCOUNTS = [{"username": "demo1"}, {"username": "demo2"}]
log = setup_logging("cm_api")


def _accounts_from_db():
    host = os.environ.get("DB_HOST")
    if not host:
        return None
    try:
        import pymysql  # Debian: python3-pymysql
    except ImportError:
        return None
    try:
        conn = pymysql.connect(
            host=host,
            port=int(os.environ.get("DB_PORT", "3306")),
            user=os.environ.get("DB_USER", ""),
            password=os.environ.get("DB_PASSWORD", ""),
            database=os.environ.get("DB_NAME") or None,
            connect_timeout=3,
        )
    except Exception as exc:  # noqa: BLE001 - fall back on any DB problem
        log.warning("database %s unreachable (%s); using seed accounts", host, exc)
        return None
    try:
        with conn.cursor() as cur:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS accounts ("
                " id INT AUTO_INCREMENT PRIMARY KEY,"
                " username VARCHAR(64) NOT NULL UNIQUE)"
            )
            cur.execute("SELECT COUNT(*) FROM accounts")
            if cur.fetchone()[0] == 0:
                cur.executemany(
                    "INSERT INTO accounts (username) VALUES (%s)",
                    [(a["username"],) for a in SEED_ACCOUNTS],
                )
                conn.commit()
            cur.execute("SELECT username FROM accounts ORDER BY id")
            return [{"username": row[0]} for row in cur.fetchall()]
    except Exception as exc:  # noqa: BLE001
        log.warning("database query failed (%s); using seed accounts", exc)
        return None
    finally:
        conn.close()


def create_app():
    app = Flask(__name__)

    @app.get("/acc/")
    def accounts():
        rows = _accounts_from_db()
        source = "db" if rows is not None else "seed"
        resp = jsonify(rows if rows is not None else SEED_ACCOUNTS)
        resp.headers["X-CM-Source"] = source
        return resp

    return app


def main():
    exit_on_sigterm()
    port = int(os.environ.get("CM_API_PORT", "3000"))
    log.info("cm_api dev server on 0.0.0.0:%d", port)
    create_app().run(host="0.0.0.0", port=port, debug=debug_enabled(), use_reloader=False)


if __name__ == "__main__":
    main()
