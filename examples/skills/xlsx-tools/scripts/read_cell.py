"""Prints the value of one cell of an Excel workbook."""

import argparse
import sys

from openpyxl import load_workbook


def main() -> int:
    parser = argparse.ArgumentParser(description="Print the value of a cell of an .xlsx file.")
    parser.add_argument("xlsx_file", help="the workbook to read")
    parser.add_argument("--cell", required=True, help="the cell, e.g. B2")
    parser.add_argument("--sheet", help="the sheet (default: the active one)")
    args = parser.parse_args()
    wb = load_workbook(args.xlsx_file, data_only=True)
    ws = wb[args.sheet] if args.sheet else wb.active
    print(f"{args.cell.upper()}: {ws[args.cell.upper()].value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
