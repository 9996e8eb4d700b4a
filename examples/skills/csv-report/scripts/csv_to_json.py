"""Converts a CSV file to a JSON list of objects (one per row)."""

import argparse
import csv
import json
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description="Convert a CSV file to a JSON list of row objects.")
    parser.add_argument("csv_file", help="the CSV file to read")
    parser.add_argument("--out", required=True, help="the JSON file to write")
    args = parser.parse_args()
    with open(args.csv_file, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(rows, f, indent=2)
    print(f"wrote {len(rows)} rows to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
