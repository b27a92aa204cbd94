"""The benchmark project's application code: copied into the image last, never run."""

from datetime import datetime, timezone


def main() -> None:
    print(f"report at {datetime.now(timezone.utc):%Y-%m-%d %H:%M}")


if __name__ == "__main__":
    main()
