#!/usr/bin/env python3
"""Checks the relative links of a static HTML site (the one `glo-host rules docs` writes).

Usage: python3 scripts/check-links.py FOLDER

Every href and src of every .html file under FOLDER that is relative (no scheme, not starting with
// or /) must resolve to a file, and its #fragment, when there is one, to an id (or an <a name>) of the
target page. Links to other sites are not followed: the site is meant to work from disk. Prints each
broken link as file: link: why, then 'N links checked, M broken'; exits 1 when any is broken.
"""

import os
import sys
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name in ("href", "src"):
                self.links.append(value)
            elif name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)


def read(path, cache):
    if path not in cache:
        page = Page()
        with open(path, encoding="utf-8") as f:
            page.feed(f.read())
        cache[path] = page
    return cache[path]


def check(folder):
    cache = {}
    broken = []
    checked = 0
    pages = sorted(
        os.path.join(root, name)
        for root, _, names in os.walk(folder)
        for name in names
        if name.endswith(".html")
    )
    if not pages:
        return 0, [(folder, "", "no .html file")]
    for page in pages:
        for link in read(page, cache).links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("/"):
                continue
            checked += 1
            target = page if not parts.path else os.path.normpath(os.path.join(os.path.dirname(page), unquote(parts.path)))
            if not os.path.isfile(target):
                broken.append((page, link, "no such file"))
                continue
            if parts.fragment:
                if not target.endswith(".html"):
                    broken.append((page, link, "a fragment of a file that is not a page"))
                elif unquote(parts.fragment) not in read(target, cache).ids:
                    broken.append((page, link, "no element with id '%s' in %s" % (unquote(parts.fragment), target)))
    return checked, broken


def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    checked, broken = check(sys.argv[1])
    for page, link, why in broken:
        print("%s: %s: %s" % (page, link, why))
    print("%d links checked, %d broken" % (checked, len(broken)))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
