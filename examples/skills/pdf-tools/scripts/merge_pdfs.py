"""Merges PDF files, in the order given, into one PDF."""

import argparse
import sys

from pypdf import PdfWriter


def main() -> int:
    parser = argparse.ArgumentParser(description="Merge PDF files into one.")
    parser.add_argument("--out", required=True, help="the merged PDF to write")
    parser.add_argument("inputs", nargs="+", help="the PDFs to merge, in order")
    args = parser.parse_args()
    writer = PdfWriter()
    for path in args.inputs:
        writer.append(path)
    with open(args.out, "wb") as f:
        writer.write(f)
    print(f"wrote {args.out}: {len(writer.pages)} pages from {len(args.inputs)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
