"""Writes a CSV file as an Excel workbook (one sheet, numbers kept as numbers)."""

import argparse
import csv
import sys

from openpyxl import Workbook


def _value(text: str) -> object:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def main() -> int:
    parser = argparse.ArgumentParser(description="Convert a CSV file to an Excel workbook.")
    parser.add_argument("csv_file", help="the CSV file to read")
    parser.add_argument("--out", required=True, help="the .xlsx file to write")
    parser.add_argument("--sheet", default="Sheet1", help="the sheet name")
    args = parser.parse_args()
    wb = Workbook()
    ws = wb.active
    ws.title = args.sheet
    with open(args.csv_file, newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            ws.append([_value(v) for v in row])
    wb.save(args.out)
    print(f"wrote {ws.max_row} rows to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
