"""The operator's texts, read once at start-up from CONTENT_FOLDER: one folder per language
(`fr/`, `en/`), one file per text, Markdown (`.md`) or an HTML fragment (`.html`), e.g.
`fr/conditions-generales.md`. Each is rendered, then sanitised (no script, style, frame,
event handler or unsafe link survives), and its headings are renumbered from h2 so that the
page keeps its one h1 and no level is skipped. A broken folder stops the start with every
problem named, never a 500 at the first reader.

The texts a person accepts (terms, privacy notice) have a version, kept with each consent:
the `version` the file's front matter declares (a date, the same in every language), or
else a hash of its files, so that a changed text is accepted again (SummaryForm). Without a
file, Sésame's own text (its template) and its version (config.TERMS_VERSION...) apply.
"""
import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import nh3
from flask_babel import get_locale
from markdown_it import MarkdownIt
from markupsafe import Markup

from wizard.config import SettingError

EXTENSION = "sesame.content"
# File name (without its extension) -> the text's name in the app.
FILES = {"conditions-generales": "terms", "confidentialite": "privacy", "accessibilite": "accessibility",
         "aide-email-non-recu": "email_help", "aide-quelle-adresse": "which_address_help"}
ACCEPTED = ("terms", "privacy")  # kept with the consent, by version
SUFFIXES = (".md", ".html")
TOP_HEADING = 2  # the page's own h1 comes first

_markdown = MarkdownIt("commonmark", {"html": True}).enable("table")
TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "div", "dl", "dt", "em", "hr", "i", "li",
        "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
        "thead", "tr", "ul", *(f"h{level}" for level in range(1, 7))}
ATTRIBUTES = {"*": {"lang"}, "a": {"href", "hreflang", "title"}, "abbr": {"title"}, "ol": {"start"},
              "th": {"scope", "colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
# Dropped with what they hold (a script's code is no text to show); other tags lose only themselves.
DROPPED_WHOLE = {"script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math", "textarea",
                 "select", "title"}
SCHEMES = {"https", "http", "mailto", "tel"}
LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$")
HEADING = re.compile(r"<(/?)h([1-6])\b")
# A link whose address the sanitiser refused: its words stay, not a link that goes nowhere.
DEAD_LINK = re.compile(r"<a(?=[\s>])(?![^>]*\shref=)[^>]*>(.*?)</a>", re.DOTALL)


@dataclass(frozen=True)
class Text:
    html: Markup  # sanitised
    lang: str  # of the file: another language than the page's is marked so (WCAG 3.1.2)
    version: str | None  # declared by its front matter, shown on the page


@dataclass(frozen=True)
class Shown:
    """What a page shows of a text: the operator's (or None: Sésame's template), and the
    version to say (a hash is recorded, not shown)."""
    text: Text | None
    version: str | None

    @property
    def version_date(self) -> date | None:
        """The declared version as the date it is (said in the reader's language); None for a hash."""
        try:
            return date.fromisoformat(self.version) if self.version else None
        except ValueError:
            return None


@dataclass(frozen=True)
class Library:
    texts: dict  # (name, lang) -> Text
    versions: dict  # name -> the version a consent records
    default_language: str = "fr"

    def shown(self, name: str, lang: str) -> Shown:
        """The text in `lang`, else in the default language (the operator's), else Sésame's."""
        text = self.texts.get((name, lang)) or self.texts.get((name, self.default_language))
        if text is None:
            return Shown(None, self.versions.get(name))
        return Shown(text, text.version)

    def version(self, name: str) -> str:
        return self.versions[name]


def load(folder: str | None, languages, default_versions: dict) -> Library:
    """The library of CONTENT_FOLDER (None: Sésame's texts only); SettingError names every problem."""
    default_language = languages[0]
    if not folder:
        return Library({}, dict(default_versions), default_language)
    root = Path(folder)
    if not root.is_dir():
        raise SettingError(f"CONTENT_FOLDER={folder!r} is not a folder")
    problems: list[str] = []
    sources = _sources(root, languages, problems)
    texts, raw = {}, {}
    for key, path in sorted(sources.items()):
        try:
            texts[key], raw[key] = _read(path, key[1])
        except (ValueError, OSError) as wrong:  # unreadable, not UTF-8, a wrong front matter
            problems.append(f"{path}: {wrong}")
    for name in sorted({name for name, _ in sources}):
        if (name, default_language) not in sources:
            problems.append(f"{_stem(name)}: there is no {default_language}/{_stem(name)}.md (or .html), "
                            f"the text other languages fall back to")
    if problems:
        raise SettingError("CONTENT_FOLDER refused: " + "; ".join(problems))
    return Library(texts, _versions(texts, raw, default_versions), default_language)


def _versions(texts: dict, raw: dict, default_versions: dict) -> dict:
    """The version each accepted text records: declared the same in every language, or the
    hash of its files; Sésame's for a text the operator does not give."""
    versions = dict(default_versions)
    for name in ACCEPTED:
        declared = {lang: text.version for (n, lang), text in texts.items() if n == name}
        if len(set(declared.values())) > 1:
            said = ", ".join(f"{lang}: {version or 'none'}" for lang, version in sorted(declared.items()))
            raise SettingError(f"CONTENT_FOLDER refused: {_stem(name)}: every language must declare the same "
                               f"version ({said})")
        if declared:
            versions[name] = next(iter(declared.values())) or _digest(raw, name)
    return versions


def _sources(root: Path, languages, problems: list) -> dict:
    """(name, lang) -> the file; what does not belong there is a problem (a misspelt name
    would otherwise leave Sésame's text in place without a word)."""
    sources = {}
    expected = ", ".join(f"{stem}.md" for stem in FILES)
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        if not entry.is_dir() or entry.name not in languages:
            problems.append(f"{entry}: only the language folders {', '.join(languages)} belong here")
            continue
        for path in sorted(entry.iterdir()):
            if path.name.startswith("."):
                continue
            if path.suffix not in SUFFIXES or path.stem not in FILES or not path.is_file():
                problems.append(f"{path}: not a text Sésame reads (expected {expected}, or .html)")
                continue
            key = (FILES[path.stem], entry.name)
            if key in sources:
                problems.append(f"{path}: {sources[key].name} is the same text; keep one")
            sources[key] = path
    return sources


def _read(path: Path, lang: str) -> tuple[Text, bytes]:
    raw = path.read_bytes()
    try:
        source = raw.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    except UnicodeDecodeError:
        raise ValueError("not UTF-8") from None
    meta, body = front_matter(source)
    html = clean(_markdown.render(body) if path.suffix == ".md" else body)
    if not re.sub(r"<[^>]*>", "", html).strip():
        raise ValueError("nothing left to show once sanitised")
    return Text(Markup(html), lang, meta.get("version")), raw


def front_matter(source: str) -> tuple[dict, str]:
    """`---` lines around `version: 2027-01-15` at the top of a file, if any; the rest."""
    if not source.startswith("---\n"):
        return {}, source
    end = (source + "\n").find("\n---\n", 3)
    if end < 0:
        raise ValueError("its front matter (after the first line ---) has no closing line ---")
    meta = {}
    for line in source[4:end].splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, colon, value = (part.strip() for part in line.partition(":"))
        value = value.strip("\"'")
        if not colon or key != "version":
            raise ValueError(f"front matter line {line!r}: only 'version: YYYY-MM-DD' is read")
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"version {value!r} is not a date like 2027-01-15") from None
        meta[key] = value
    return meta, source[end + 5:]


def clean(html: str) -> str:
    """Sanitised: only the tags and attributes of a text, links to http(s), mailto and tel;
    headings renumbered from TOP_HEADING."""
    safe = nh3.clean(html, tags=TAGS, clean_content_tags=DROPPED_WHOLE, attributes=ATTRIBUTES,
                     attribute_filter=_attribute, url_schemes=SCHEMES, link_rel="noopener noreferrer")
    return renumber_headings(DEAD_LINK.sub(r"\1", safe).strip())


def _attribute(tag: str, name: str, value: str) -> str | None:
    if name in ("lang", "hreflang"):
        return value if LANGUAGE_TAG.match(value) else None
    return value


def renumber_headings(html: str, top: int = TOP_HEADING) -> str:
    """The first heading becomes `top`; each later one keeps its distance to the first but
    never goes more than one level deeper than the one before (h1, h3 -> h2, h3)."""
    levels = [int(found.group(2)) for found in HEADING.finditer(html) if not found.group(1)]
    if not levels:
        return html
    shift, state = top - levels[0], {"previous": top - 1, "open": top}

    def renumber(found):
        if found.group(1):  # sanitised HTML: a heading closes before the next opens
            return f"</h{state['open']}"
        state["open"] = max(top, min(int(found.group(2)) + shift, state["previous"] + 1, 6))
        state["previous"] = state["open"]
        return f"<h{state['open']}"

    return HEADING.sub(renumber, html)


def _digest(raw: dict, name: str) -> str:
    """A version for a text that declares none: its files' hash, every language together."""
    digest = hashlib.sha256()
    for (n, lang), data in sorted(raw.items()):
        if n == name:
            digest.update(f"{lang}\0{len(data)}\0".encode() + data)
    return "sha256:" + digest.hexdigest()[:16]


def _stem(name: str) -> str:
    return next(stem for stem, named in FILES.items() if named == name)


def init_app(app) -> None:
    """Loads the texts (a broken folder stops the start); templates ask `content(name)`."""
    library = load(app.config["CONTENT_FOLDER"], app.config["LANGUAGES"],
                   {"terms": app.config["TERMS_VERSION"], "privacy": app.config["PRIVACY_VERSION"]})
    app.extensions[EXTENSION] = library

    def shown(name: str) -> Shown:
        return library.shown(name, get_locale().language)

    app.context_processor(lambda: {"content": shown})


def of(app) -> Library:
    return app.extensions[EXTENSION]
