"""Prints the paragraphs of a Word document, one per line."""

import argparse
import sys

from docx import Document


def main() -> int:
    parser = argparse.ArgumentParser(description="Print the text of a .docx file.")
    parser.add_argument("docx_file", help="the document to read")
    args = parser.parse_args()
    for p in Document(args.docx_file).paragraphs:
        if p.text.strip():
            print(p.text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
