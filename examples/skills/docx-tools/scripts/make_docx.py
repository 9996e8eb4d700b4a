"""Writes a Word document with a title (heading) and one paragraph of text."""

import argparse
import sys

from docx import Document


def main() -> int:
    parser = argparse.ArgumentParser(description="Create a .docx file with a title and a paragraph.")
    parser.add_argument("--title", required=True, help="the document's title")
    parser.add_argument("--text", required=True, help="the paragraph under the title")
    parser.add_argument("--out", required=True, help="the .docx file to write")
    args = parser.parse_args()
    doc = Document()
    doc.add_heading(args.title, level=1)
    doc.add_paragraph(args.text)
    doc.save(args.out)
    print(f"wrote {args.out}: {args.title}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
