"""A rough device from a User-Agent: the browser's family and the system, nothing more.

"Firefox|Windows", "Safari|iPhone", "|" when nothing is recognised. The full User-Agent
is never stored: it is detailed enough to help recognise a person across sites. Names
are proper nouns, the same in every language; only "unknown" is translated, by whoever
displays it (`parts`).
"""
import re


def _table(*rows: tuple[str, str]) -> tuple:
    return tuple((name, re.compile(pattern)) for name, pattern in rows)


# The first that matches wins: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = _table(("Edge", r"\bEdg(e|A|iOS)?/"), ("Opera", r"\b(OPR|Opera)/"),
                   ("Samsung Internet", r"\bSamsungBrowser/"), ("Firefox", r"\b(Firefox|FxiOS)/"),
                   ("Chrome", r"\b(Chrome|CriOS|Chromium)/"), ("Safari", r"\bVersion/[\d.]+.*\bSafari/"))
_SYSTEMS = _table(("iPhone", r"\biPhone\b"), ("iPad", r"\biPad\b"), ("Android", r"\bAndroid\b"),
                  ("ChromeOS", r"\bCrOS\b"), ("Windows", r"\bWindows\b"),
                  ("macOS", r"\bMac OS X\b|\bMacintosh\b"), ("Linux", r"\bLinux\b"))
MAX_USER_AGENT = 512  # longer ones are cut before matching: no regex on megabytes


def rough(user_agent: str | None) -> str:
    text = (user_agent or "")[:MAX_USER_AGENT]
    browser = next((name for name, pattern in _BROWSERS if pattern.search(text)), "")
    system = next((name for name, pattern in _SYSTEMS if pattern.search(text)), "")
    return f"{browser}|{system}"


def parts(device: str | None) -> tuple[str, str]:
    """(browser, system), each "" when unknown."""
    browser, _, system = (device or "").partition("|")
    return browser, system


_MOBILE = re.compile(r"Mobi|iPhone|iPod|Windows Phone")  # Android phones say "Mobile"


def device_class(user_agent: str | None, mobile_hint: str | None = None) -> str:
    """"mobile" or "desktop", nothing finer: the client hint (Sec-CH-UA-Mobile: ?1) when
    the browser sends it, else the User-Agent's family. A tablet counts as desktop."""
    if mobile_hint in ("?1", "?0"):
        return "mobile" if mobile_hint == "?1" else "desktop"
    return "mobile" if _MOBILE.search((user_agent or "")[:MAX_USER_AGENT]) else "desktop"
