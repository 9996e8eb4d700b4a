"""Prints the number of pages of a PDF file."""

import argparse
import sys

from pypdf import PdfReader


def main() -> int:
    parser = argparse.ArgumentParser(description="Print the page count of a PDF.")
    parser.add_argument("pdf_file", help="the PDF to read")
    args = parser.parse_args()
    print(f"pages: {len(PdfReader(args.pdf_file).pages)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
