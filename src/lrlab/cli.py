"""(placeholder: being written)"""


def main(argv: list[str] | None = None) -> int:
    raise SystemExit("lrlab: the command line is not written yet")
