"""Statistics of one numeric column of a CSV file: count, sum, mean, min, max."""

import argparse
import csv
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description="Statistics of one numeric column of a CSV file.")
    parser.add_argument("csv_file", help="the CSV file to read")
    parser.add_argument("--column", required=True, help="the column to summarise")
    args = parser.parse_args()
    with open(args.csv_file, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if not rows or args.column not in rows[0]:
        print(f"no column {args.column!r}", file=sys.stderr)
        return 2
    values = [float(r[args.column]) for r in rows if r[args.column].strip()]
    total = sum(values)
    print(f"column: {args.column}")
    print(f"count: {len(values)}")
    print(f"sum: {total:g}")
    print(f"mean: {total / len(values):g}")
    print(f"min: {min(values):g}")
    print(f"max: {max(values):g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
